"""PostgreSQL search: keep each document's tsvector in its row, not in the TOAST table.

A tsvector hardly compresses, so a wiki page's (~4.6 kB) went out of line, uncompressed:
ranking a match (ts_rank_cd) fetched it from the TOAST table through its index first.
Measured at 100,000 items, "dove delta" (6,458 matches, 5,099 of them wiki pages),
warm buffers: reading every match's tsvector 21.9 → 5.6 ms, ranking them 35.6 → 19.9 ms.
STORAGE MAIN still moves a value out when the row cannot fit a page otherwise.

VACUUM FULL rewrites the rows already there (a minute or so at 100,000 items, with the
table locked); it cannot run inside a transaction, hence ``atomic = False``.
"""
from peewee import PostgresqlDatabase

atomic = False


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER TABLE search_doc ALTER COLUMN tsv SET STORAGE MAIN")
        db.execute_sql("VACUUM FULL search_doc")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER TABLE search_doc ALTER COLUMN tsv SET STORAGE EXTENDED")
