"""Block Kit, one module per surface: prompt (and its modal), reply, app_home, digest."""
