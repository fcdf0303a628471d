"""Portal forms of service activation (the form pattern: bss/forms.py): they validate input and hand clean keyword
arguments to service_activation.services."""

from django import forms


class ReasonForm(forms.Form):
    """Retry, give up or cancel: the reason is recorded in the history."""

    reason = forms.CharField(max_length=500, label="Reason", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Say why: it is recorded in the history."})


class WorkOrderCompleteForm(forms.Form):
    """A team finished a manual step, or recorded the result of a manual test (``is_test``)."""

    result = forms.ChoiceField(choices=[("passed", "Passed"), ("failed", "Failed")], widget=forms.RadioSelect,
                               label="Test result", required=False)
    note = forms.CharField(max_length=2000, required=False, label="Note",
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="What was done or found; a failed test needs one.")

    def __init__(self, *args, is_test: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_test = is_test
        if is_test:
            self.fields["result"].required = True
            self.fields["result"].error_messages["required"] = "Say whether the test passed."
        else:
            del self.fields["result"]

    def clean(self):
        data = super().clean()
        if self.is_test and data.get("result") == "failed" and not (data.get("note") or "").strip():
            self.add_error("note", "Say what failed: the fallout queue shows it.")
        return data

    @property
    def passed(self) -> bool:
        return not self.is_test or self.cleaned_data.get("result") == "passed"
