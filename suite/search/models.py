"""The one search table: a row per searchable item of any app."""
from peewee import AutoField, CharField, DateTimeField, IntegerField, TextField

from suite.auth.models import utcnow
from suite.database import BaseModel

KINDS = ("bookmark", "paste", "wiki")  # the apps whose items are indexed (and the index's change counters)


class SearchDoc(BaseModel):
    """What the index knows of one bookmark, paste or wiki page."""

    id = AutoField()
    kind = CharField(max_length=16)
    item_id = CharField(max_length=64)
    owner_id = IntegerField(null=True, index=True)
    visibility = CharField(max_length=10)
    title = TextField(default="")
    body = TextField(default="")
    url = TextField(default="")
    tags = TextField(default="")     # " tag1 tag2 " (padded, for exact tag filters)
    lang = TextField(default="")     # " python markdown " (padded, every language of the item)
    updated_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(null=True)  # when the item stops being served (a paste), None: never

    class Meta:
        table_name = "search_doc"
        indexes = ((("kind", "item_id"), True),)


# What a result list shows: everything but the (large) body.
LIST_COLUMNS = (SearchDoc.id, SearchDoc.kind, SearchDoc.item_id, SearchDoc.owner_id, SearchDoc.visibility,
                SearchDoc.title, SearchDoc.url, SearchDoc.tags, SearchDoc.lang, SearchDoc.updated_at,
                SearchDoc.expires_at)
