"""The plan's 22 open-data domains (冠县新型智慧城市规划, action 3), in the plan's order.

No official code table exists (docs/standards-cn.md §6): the common 21-domain list numbers them
1-21 with 99 for 其他; the plan adds 地名地址. The numbers here are local: the plan's order, 1-22.
``slug`` is the CKAN group name.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Domain:
    number: int
    slug: str
    name_zh: str
    title: object  # lazy English msgid, translated to Chinese by the catalogue

    @property
    def code(self) -> str:
        return f"{self.number:02d}"


DOMAINS = (
    Domain(1, "credit", "信用服务", _("Credit services")),
    Domain(2, "health", "医疗卫生", _("Health care")),
    Domain(3, "social-security", "社保就业", _("Social security and employment")),
    Domain(4, "public-security", "公共安全", _("Public security")),
    Domain(5, "housing", "城建住房", _("Urban construction and housing")),
    Domain(6, "transport", "交通运输", _("Transport")),
    Domain(7, "education-culture", "教育文化", _("Education and culture")),
    Domain(8, "science", "科技创新", _("Science and innovation")),
    Domain(9, "resources-energy", "资源能源", _("Resources and energy")),
    Domain(10, "environment", "生态环境", _("Ecology and environment")),
    Domain(11, "industry-agriculture", "工业农业", _("Industry and agriculture")),
    Domain(12, "commerce", "商贸流通", _("Commerce and trade")),
    Domain(13, "finance", "财税金融", _("Finance and taxation")),
    Domain(14, "work-safety", "安全生产", _("Work safety")),
    Domain(15, "market-regulation", "市场监管", _("Market regulation")),
    Domain(16, "social-assistance", "社会救助", _("Social assistance")),
    Domain(17, "legal-services", "法律服务", _("Legal services")),
    Domain(18, "daily-life", "生活服务", _("Daily-life services")),
    Domain(19, "weather", "气象服务", _("Weather services")),
    Domain(20, "geospatial", "地理空间", _("Geospatial")),
    Domain(21, "place-names", "地名地址", _("Place names and addresses")),
    Domain(22, "organisations", "机构团体", _("Organisations and associations")),
)

BY_CODE = {d.code: d for d in DOMAINS}
BY_SLUG = {d.slug: d for d in DOMAINS}
CHOICES = [(d.code, d.title) for d in DOMAINS]
