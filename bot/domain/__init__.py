"""The pioneering domain: pure Python, no chat platform, no database, no scheduler.

Adapters turn clicks and commands into calls on the services here and render the
neutral views these services return.
"""
