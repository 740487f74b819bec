"""The admin of workflow definitions: edit as YAML or JSON (checked on save), publish, see versions and the
cases running on each, import and export."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from smartcounty.foundation.cases.models import WorkflowDefinition
from smartcounty.foundation.cases.workflow import document, store
from smartcounty.foundation.cases.workflow.problems import DefinitionInvalid
from smartcounty.kernel.admin import AuditedModelAdmin


def _errors(problems) -> ValidationError:
    return ValidationError([f"{pr.path}：{pr.message}" if pr.path else pr.message for pr in problems])


class DefinitionForm(forms.ModelForm):
    text = forms.CharField(label=_lazy("Definition (YAML or JSON)"), strip=False,
                           widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"}))
    publish_now = forms.BooleanField(label=_lazy("Publish on save"), required=False)

    class Meta:
        model = WorkflowDefinition
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["text"].initial = document.dump(self.instance.document)

    def clean(self):
        data = super().clean()
        text = data.get("text")
        if not text:
            return data
        try:
            doc = document.parse(text)
        except DefinitionInvalid as exc:
            raise _errors(exc.problems) from None
        problems = store.check(doc)
        if problems:
            raise _errors(problems)
        if self.instance.pk and doc["key"] != self.instance.key:
            raise ValidationError(_("The key of a saved definition stays %(key)s.") % {"key": self.instance.key})
        if not self.instance.pk and WorkflowDefinition.objects.filter(key=doc["key"]).exists():
            raise ValidationError(_("A definition %(key)s exists already.") % {"key": doc["key"]})
        data["doc"] = doc
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_lazy("Definition file (YAML or JSON)"))
    publish_now = forms.BooleanField(label=_lazy("Publish on import"), required=False)


class WorkflowDefinitionAdmin(AuditedModelAdmin):
    form = DefinitionForm
    list_display = ("key", "title", "current_version", "cases_running")
    search_fields = ("key", "title")
    readonly_fields = ("versions_table",)
    actions = ("publish_selected", "export_yaml", "export_json")
    change_list_template = "cases/admin/workflow_changelist.html"

    def get_fields(self, request, obj=None):
        return ("text", "publish_now", "versions_table") if obj else ("text", "publish_now")

    def get_queryset(self, request):
        from django.db.models import Count, Max

        return super().get_queryset(request).annotate(last=Max("versions__number"), running=Count("versions__cases"))

    @admin.display(description=_lazy("current version"))
    def current_version(self, obj):
        return f"v{obj.last}" if obj.last else _("not published")

    @admin.display(description=_lazy("cases"))
    def cases_running(self, obj):
        return obj.running

    @admin.display(description=_lazy("versions"))
    def versions_table(self, obj):
        rows = store.versions_in_use(obj)
        if not rows:
            return _("not published")
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>", _("version"), _("published"),
                           _("cases"), _("open cases"))
        body = format_html_join("", "<tr><td>v{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
                                ((r["number"], r["published_at"].strftime("%Y-%m-%d %H:%M"), r["published_by"],
                                  r["cases"], r["open"]) for r in rows))
        return format_html('<table class="sc-versions">{}{}</table>', head, body)

    def save_model(self, request, obj, form, change):
        doc = form.cleaned_data["doc"]
        obj.key, obj.title, obj.document = doc["key"], doc["title"].strip(), doc
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("publish_now"):
            version = store.publish(obj.key, actor=request.user)
            messages.success(request, _("Published as version %(n)s.") % {"n": version.number})

    @admin.action(description=_lazy("Publish the selected definitions"))
    def publish_selected(self, request, queryset):
        for definition in queryset:
            try:
                version = store.publish(definition.key, actor=request.user)
            except DefinitionInvalid as exc:
                messages.error(request, f"{definition.key}: {exc.problems[0].message}")
            else:
                messages.success(request, _("%(key)s: version %(n)s is current.")
                                 % {"key": definition.key, "n": version.number})

    def _export(self, queryset, fmt):
        texts = [store.export_text(d.key, fmt) for d in queryset]
        body = texts[0] if len(texts) == 1 else ("[\n" + ",\n".join(texts) + "]\n" if fmt == "json"
                                                  else "---\n".join(texts))
        name = queryset[0].key if len(texts) == 1 else "workflows"
        response = HttpResponse(body, content_type="application/json" if fmt == "json" else "application/yaml")
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response

    @admin.action(description=_lazy("Export as YAML"))
    def export_yaml(self, request, queryset):
        return self._export(queryset, "yaml")

    @admin.action(description=_lazy("Export as JSON"))
    def export_json(self, request, queryset):
        return self._export(queryset, "json")

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="cases_workflow_import"),
                *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            raw = form.cleaned_data["file"].read(document.MAX_BYTES + 1)
            try:
                definition = store.import_text(raw.decode("utf-8"), actor=request.user,
                                               publish_it=form.cleaned_data["publish_now"])
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
            except DefinitionInvalid as exc:
                for pr in exc.problems:
                    form.add_error("file", f"{pr.path}：{pr.message}" if pr.path else pr.message)
            else:
                messages.success(request, _("Imported %(key)s.") % {"key": definition.key})
                return redirect("admin:cases_workflowdefinition_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Import a workflow definition")}
        return render(request, "cases/admin/workflow_import.html", context)
