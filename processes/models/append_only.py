from __future__ import annotations

from django.db import models


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they cannot be deleted.")


class AppendOnlyModel(models.Model):
    """History that is only ever added to: a correction is a new row, never an edit."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A new object given an existing row's id would otherwise be saved as an UPDATE of that row.
        if not self._state.adding or (
            self.pk is not None and type(self)._base_manager.using(kwargs.get("using")).filter(pk=self.pk).exists()
        ):
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only: add a new entry instead.")
        kwargs["force_insert"] = True
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only: they cannot be deleted.")
