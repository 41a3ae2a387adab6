"""The base of every form in the suite."""
from flask_wtf import FlaskForm


class SuiteForm(FlaskForm):
    """A Flask-WTF form whose hidden CSRF input has no id attribute.

    A page often holds several forms (account: token, password, delete); with WTForms' default every
    one of them would render ``id="csrf_token"`` and the page would repeat an id.
    """

    class Meta(FlaskForm.Meta):
        def render_field(self, field, render_kw):
            if field.short_name == "csrf_token":
                render_kw = {**render_kw, "id": False}
            return super().render_field(field, render_kw)
