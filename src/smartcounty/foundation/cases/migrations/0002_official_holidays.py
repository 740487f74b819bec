"""Load China's official 2025 and 2026 holiday schedules (data/holidays_cn.json) into the calendar."""

from django.db import migrations


def load(apps, schema_editor):
    from smartcounty.foundation.cases.workcalendar import shipped_days

    CalendarDay = apps.get_model("cases", "CalendarDay")
    for day, kind, name, source in shipped_days():
        CalendarDay.objects.get_or_create(date=day, defaults={"kind": kind, "name": name, "source": source})


def unload(apps, schema_editor):
    from smartcounty.foundation.cases.workcalendar import shipped_days

    CalendarDay = apps.get_model("cases", "CalendarDay")
    CalendarDay.objects.filter(date__in=[d for d, *_ in shipped_days()]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
