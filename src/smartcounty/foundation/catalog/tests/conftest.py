import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from smartcounty.foundation.catalog import services

AQI_ITEMS = [
    {"name": "station", "title": "监测站", "required": True},
    {"name": "day", "title": "日期", "data_type": "date", "required": True},
    {"name": "aqi", "title": "空气质量指数", "data_type": "integer", "required": True},
]
PEOPLE_ITEMS = [
    {"name": "name", "title": "姓名", "personal": "name", "required": True},
    {"name": "id_number", "title": "身份证号", "personal": "id_number"},
    {"name": "phone", "title": "手机", "personal": "phone"},
    {"name": "town", "title": "乡镇"},
    {"name": "amount", "title": "金额", "data_type": "number"},
]
PEOPLE_ROWS = [
    {"name": "张三", "id_number": "360426199101010071", "phone": "13812345678", "town": "清泉街道", "amount": 600},
    {"name": "李四", "id_number": "120103198806018241", "phone": "13912345678", "town": "崇文街道", "amount": 650},
    {"name": "王五", "id_number": "371525196001011005", "phone": "13712345678", "town": "清泉街道", "amount": 700},
]


@pytest.fixture
def orgs(db):
    Organisation = apps.get_model("accounts", "Organisation")
    return {code: Organisation.objects.create(code=code, name=name) for code, name in (
        ("ecology-environment", "市生态环境局冠县分局"), ("civil-affairs", "县民政局"), ("health", "县卫生健康局"),
        ("market-regulation", "县市场监督管理局"))}


def _user(username, role, org=None):
    return get_user_model().objects.create_user(username=username, password="not-used-pw-123", role=role,
                                                organisation=org, kind="resident" if role == "resident" else "staff")


@pytest.fixture
def people(orgs):
    return {
        "env_admin": _user("env_admin", "org_admin", orgs["ecology-environment"]),
        "env_staff": _user("env_staff", "staff", orgs["ecology-environment"]),
        "civil_admin": _user("civil_admin", "org_admin", orgs["civil-affairs"]),
        "civil_staff": _user("civil_staff", "staff", orgs["civil-affairs"]),
        "health_staff": _user("health_staff", "staff", orgs["health"]),
        "health_admin": _user("health_admin", "org_admin", orgs["health"]),
        "resident": _user("resident", "resident"),
    }


@pytest.fixture
def aqi(orgs):
    return services.create_resource(
        {"code": "210001/00001", "slug": "aqi-daily", "name": "冠县空气质量日报", "summary": "逐日空气质量指数",
         "domain": "10", "sharing_type": "unconditional", "update_cycle": "daily", "tags": ["空气质量"]},
        AQI_ITEMS, provider_org_id=orgs["ecology-environment"].pk)


@pytest.fixture
def allowance(orgs):
    res = services.create_resource(
        {"code": "216001/00001", "slug": "allowance", "name": "城乡低保对象名册", "summary": "低保对象",
         "domain": "16", "sharing_type": "conditional", "sharing_conditions": "仅用于救助核查",
         "update_cycle": "monthly"},
        PEOPLE_ITEMS, provider_org_id=orgs["civil-affairs"].pk)
    services.publish_dataset(res.code, PEOPLE_ROWS)
    res.refresh_from_db()
    return res
