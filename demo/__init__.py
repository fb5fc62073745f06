"""The demo setting `make run` loads (Little Acorns Nursery), built through Keyflow's own services and
workflows: `manage.py load_demo`. Above accounts, notifications, workflows and processes; only the project's
settings name it."""
