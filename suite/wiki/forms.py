"""Forms of the wiki: edit (with preview), rename, upload, import."""
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from suite.forms import SuiteForm
from suite.wiki.pages import MAX_MESSAGE
from suite.wiki.titles import MAX_TITLE


class EditForm(SuiteForm):
    """Page source, edit summary and the revision (of which page) the edit started from.

    Its ids are in camelCase: the preview above it holds the page's headings, whose ids are their words in
    lower case ("## Content" is ``id="content"``), so no heading can take one (an id names one element).
    """

    content = TextAreaField("Content", id="editText", render_kw={"rows": 22, "spellcheck": "true"})
    message = StringField("Edit summary", id="editSummary", validators=[Length(max=MAX_MESSAGE)],
                          render_kw={"placeholder": "What did you change?"})
    base_revision = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=0)],
                                 default=0, id="editBaseRevision")
    page_id = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1)],
                           id="editPageId")  # the page edited
    base_hash = StringField(widget=HiddenInput(), validators=[Optional(), Length(max=64)],
                            id="editBaseHash")  # base's SHA-256
    section = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=10_000)],
                           id="editSection")  # the section of the base revision edited, if only one
    minor = BooleanField("This is a minor edit (a typo, formatting)", id="editMinor")
    preview = SubmitField("Preview", id="editPreview")
    save = SubmitField("Save", id="editSave")


class RenameForm(SuiteForm):
    """Move a page to a new title."""

    new_title = StringField("New title", validators=[InputRequired(), Length(max=MAX_TITLE + 50)])
    rewrite = BooleanField("Update links in pages that point to the old title", default=True)
    subpages = BooleanField("Move its subpages too", default=True)
    message = StringField("Reason", validators=[Length(max=MAX_MESSAGE)])


class UploadForm(SuiteForm):
    """One attachment file."""

    file = FileField("File", validators=[FileRequired("Choose a file to upload.")])


class ImportForm(SuiteForm):
    """A wiki export zip to load."""

    archive = FileField("Export file (.zip)", validators=[FileRequired("Choose a .zip file.")])
