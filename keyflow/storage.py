from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class KeyflowStaticStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's manifest storage, tolerant of one upstream flaw: viewflow 2.4's roboto-fontface.css names
    font files its wheel does not ship, which would otherwise fail collectstatic for the whole site."""

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if name.startswith("viewflow/"):
                return name
            raise
