"""Forms of the bookmarks app."""
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from suite.bookmarks.bookmarks import MAX_DESCRIPTION, MAX_NOTES, MAX_TAGS, MAX_TITLE
from suite.bookmarks.urls import MAX_URL_LENGTH
from suite.forms import SuiteForm
from suite.text import unix_line_ends

# As many tags as a bookmark may carry, each of the longest kind, with "#" and ", " around it:
# the edit form must take back every tag list the app stored (it shows them joined by spaces).
MAX_TAGS_TEXT = MAX_TAGS * (64 + 3)


class CheckedLength(Length):
    """``Length`` checked on the server only: it puts no ``maxlength`` on the input.

    With ``maxlength`` a browser silently cuts what is typed or pasted at the limit, so an
    over-long address would be saved as a different, broken one; without it the form comes
    back with a message saying the text is too long.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_flags = {k: v for k, v in self.field_flags.items() if k != "maxlength"}


def _too_long(what, limit):
    return f"This {what} is too long; the limit is {limit:,} characters."


class BookmarkForm(SuiteForm):
    """Add or edit a bookmark."""

    url = StringField("URL", validators=[DataRequired(message="Enter the address of the page to save."),
                                         CheckedLength(max=MAX_URL_LENGTH,
                                                       message=_too_long("address", MAX_URL_LENGTH))])
    title = StringField("Title", validators=[Optional(), CheckedLength(max=MAX_TITLE,
                                                                       message=_too_long("title", MAX_TITLE))],
                        description="Left blank, the page's own title is fetched.")
    description = TextAreaField("Description", filters=[unix_line_ends],
                                validators=[Optional(), CheckedLength(
                                    max=MAX_DESCRIPTION, message=_too_long("description", MAX_DESCRIPTION))])
    notes = TextAreaField("Notes", filters=[unix_line_ends],
                          validators=[Optional(), CheckedLength(max=MAX_NOTES, message=_too_long("note", MAX_NOTES))],
                          description="Markdown.")
    tags = StringField("Tags", validators=[Optional(), CheckedLength(
                           max=MAX_TAGS_TEXT, message=_too_long("tag list", MAX_TAGS_TEXT))],
                       description="Separated by commas or spaces.")
    is_private = BooleanField("Private (only you see it)", default=True)
    unread = BooleanField("Read later")


class ImportForm(SuiteForm):
    """Upload a Netscape bookmark file."""

    file = FileField("Bookmark file (HTML)", validators=[FileRequired(message="Choose a bookmark file (HTML) to import.")])


class TagRenameForm(SuiteForm):
    """Rename a tag (onto an existing name: merge)."""

    old = HiddenField(validators=[DataRequired()])
    new = StringField("New name", validators=[DataRequired(), Length(max=64)])
