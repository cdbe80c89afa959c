"""Storage: SQLAlchemy 2 models, repositories implementing the domain's ports, migrations."""
