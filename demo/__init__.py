"""The demo setting: a nursery's worth of rooms, staff and children, built through the real services and flows.

The top product layer below the project (import-linter's layers contract, pyproject.toml): nothing imports it.
"""
