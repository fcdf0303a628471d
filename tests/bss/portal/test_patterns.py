"""The portal's shared patterns: forms (bss.forms), panels, flags and work queues (bss.panels), charts
(bss.charts) and tables (bss.tables)."""

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.test import RequestFactory

from bss import panels
from bss.charts import Chart, Series


class ExampleForm(forms.Form):
    name = forms.CharField(label="Full name", help_text="As on the contract.")
    email = forms.EmailField(label="E-mail", required=False)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    agree = forms.BooleanField(label="I agree")
    colour = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect)


class TestFormPattern:
    def render(self, form) -> str:
        return Template('{% include "_form_fields.html" %}').render(Context({"form": form}))

    def test_required_fields_are_marked_for_eyes_and_screen_readers(self):
        html = self.render(ExampleForm())
        name_label = html[html.index('for="id_name"'):html.index("</label>", html.index('for="id_name"'))]
        assert "required-mark" in name_label and "(required)" in name_label
        email_label = html[html.index('for="id_email"'):html.index("</label>", html.index('for="id_email"'))]
        assert "required-mark" not in email_label
        assert 'aria-required="true"' in html and 'aria-describedby="id_name_helptext"' in html

    def test_all_errors_at_once_in_a_summary_linking_to_each_field(self):
        form = ExampleForm(data={"email": "not-an-address"})
        assert not form.is_valid()
        html = self.render(form)
        summary = html[html.index("data-error-summary"):html.index("</div>", html.index("data-error-summary"))]
        assert 'role="alert"' in html
        for anchor in ("#id_name", "#id_email", "#id_kind", "#id_agree"):
            assert f'href="{anchor}' in summary, anchor
        assert "There are 5 problems" in summary  # name, email, kind, agree, colour
        assert 'aria-invalid="true"' in html and "is-invalid" in html
        assert 'aria-describedby="id_name_helptext id_name_error"' in html

    def test_bootstrap_classes_by_widget(self):
        html = self.render(ExampleForm())
        assert 'class="form-control' in html and 'class="form-select' in html and 'class="form-check-input' in html
        assert "<fieldset" in html and "<legend" in html  # radio choices are a group with a name

    def test_show_when_reaches_the_wrapper(self):
        form = ExampleForm()
        form.fields["email"].widget.attrs["data-show-when"] = "kind=b"
        html = self.render(form)
        assert 'data-show-when="kind=b"' in html[:html.index('id="id_email"')]

    def test_form_renders_the_same_through_the_form_renderer(self):
        assert "data-error-summary" in str(ExampleForm(data={}))


@pytest.fixture
def isolated_registry(monkeypatch):
    monkeypatch.setattr(panels, "_PANELS", {})
    monkeypatch.setattr(panels, "_FLAGS", {})
    monkeypatch.setattr(panels, "_QUEUES", {})


class FakeUser:
    def __init__(self, perms=()):
        self.perms = set(perms)

    def has_perm(self, perm):
        return perm in self.perms


class TestPanelsRegistry:
    def test_panels_in_order_filtered_by_permission_and_self_service(self, isolated_registry):
        panels.register_panel(panels.Panel("b", "B", "t.html", order=20, self_service=True))
        panels.register_panel(panels.Panel("a", "A", "t.html", order=10, perm="x.view"))
        panels.register_panel(panels.Panel("c", "C", "t.html", order=30, context=lambda obj, req: {"n": obj}))
        request = RequestFactory().get("/")
        request.user = FakeUser()
        assert [p.panel.key for p in panels.panels_for("customer", 7, request)] == ["b", "c"]
        request.user = FakeUser({"x.view"})
        shown = panels.panels_for("customer", 7, request)
        assert [p.panel.key for p in shown] == ["a", "b", "c"] and shown[2].context == {"n": 7}
        assert [p.panel.key for p in panels.panels_for("customer", 7, request, self_service=True)] == ["b"]

    def test_flags_raise_only_when_their_test_holds(self, isolated_registry):
        panels.register_flag(panels.Flag("big", "Big", lambda obj: obj > 5))
        panels.register_flag(panels.Flag("secret", "Secret", lambda obj: True, perm="x.secret"))
        assert [f.key for f in panels.flags_for("customer", 9, FakeUser())] == ["big"]
        assert [f.key for f in panels.flags_for("customer", 1, FakeUser({"x.secret"}))] == ["secret"]

    def test_work_queues_count_for_the_request(self, isolated_registry):
        panels.register_work_queue(panels.WorkQueue("q", "Q", lambda req: 3, url="/q/"))
        panels.register_work_queue(panels.WorkQueue("hidden", "H", lambda req: 1, url="/h/", perm="x.h"))
        request = RequestFactory().get("/")
        request.user = FakeUser()
        [q] = panels.work_queues_for(request)
        assert (q.queue.key, q.count, q.url) == ("q", 3, "/q/")

    def test_every_app_registers_its_parts(self):
        # autodiscovered from <app>/portal.py: the customer page imports none of them
        keys = set(panels._PANELS["customer"])
        assert {"contacts", "accounts", "orders", "credit", "balance", "disputes", "interactions"} <= keys
        assert {"approvals", "jeopardy", "credit_reviews"} <= set(panels._QUEUES)


class TestChart:
    def test_data_and_the_table_fallback(self):
        chart = Chart("rev", "Revenue", labels=["Jan", "Feb"], series=[Series("EUR", [Decimal("10.50"), 3])])
        assert chart.data["series"][0]["values"] == ["10.50", 3]  # money travels as a string, never a float
        html = Template("{% load bss_portal %}{% chart c %}").render(Context({"c": chart}))
        assert 'id="chart-rev-data"' in html and 'role="img"' in html and "<canvas" in html
        assert "<th scope=\"row\">Jan</th><td>10.50</td>" in html.replace("\n", "")
        assert "vendor/chartjs-4.6.1/chart.umd.min.js" in html  # loaded from our static files, no CDN

    def test_mismatched_series_are_refused(self):
        with pytest.raises(ValueError):
            Chart("x", "X", labels=["a", "b"], series=[Series("s", [1])])
        with pytest.raises(ValueError):
            Chart("x", "X", labels=["a"], series=[Series("s", [1])], kind="radar")
