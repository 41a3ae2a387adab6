"""The paste form (several files, each typed or uploaded) and the owner's edit form."""
import re

from flask_wtf.file import FileField
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from suite.forms import SuiteForm
from suite.pastebin.pastes import EXPIRY_LABELS, MAX_FILES, TITLE_MAX

VISIBILITY_CHOICES = [SelectChoice("public", "Public: listed in recent pastes"),
                      SelectChoice("unlisted", "Unlisted: only people with the link"),
                      SelectChoice("private", "Private: only me")]
EXPIRY_CHOICES = [SelectChoice(key, label) for key, label in EXPIRY_LABELS.items()]


class FileEntryForm(Form):
    """One file of the paste: a name, a language and text typed or uploaded."""

    name = StringField("File name", validators=[Optional(), Length(max=255)],
                       render_kw={"placeholder": "example.py", "autocomplete": "off"})
    lang = StringField("Language", default="auto",
                       render_kw={"list": "languages", "autocomplete": "off", "spellcheck": "false"})
    content = TextAreaField("Content", render_kw={"rows": 14, "spellcheck": "false"})
    upload = FileField("…or upload a file")


class PasteForm(SuiteForm):
    """Create a paste (also a new version of an existing one)."""

    title = StringField("Title", validators=[Optional(), Length(max=TITLE_MAX)])
    visibility = SelectField("Visibility", choices=VISIBILITY_CHOICES, default="public")
    expires = SelectField("Expires", choices=EXPIRY_CHOICES, default="never")
    files = FieldList(FormField(FileEntryForm), min_entries=1, max_entries=MAX_FILES)
    parent = HiddenField()


_ENTRY_FIELD = re.compile(r"^files-(\d+)-")


def posted_entries(req):
    """How many file entries a post holds (the form's FieldList would keep only the first MAX_FILES)."""
    keys = list(req.form) + list(req.files)
    return len({m.group(1) for m in map(_ENTRY_FIELD.match, keys) if m})


class EditPasteForm(SuiteForm):
    """Change a paste's title, visibility and expiry."""

    title = StringField("Title", validators=[Optional(), Length(max=TITLE_MAX)])
    visibility = SelectField("Visibility", choices=VISIBILITY_CHOICES)
    expires = SelectField("Expires", choices=[SelectChoice("keep", "Keep as it is")] + EXPIRY_CHOICES,
                          default="keep")
