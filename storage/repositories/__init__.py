"""Repositories implementing the domain's ports, one module per aggregate.

They take and return domain objects. Every query is filtered by workspace, so no call can
reach another tenant's rows; the scheduler's scans (dispatch_repo) say where they do not.
"""
