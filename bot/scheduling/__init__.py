"""Scheduling: the ritual plan as data, the dispatcher, the sender and the APScheduler clock.

The database is the source of truth: a pass records what fell due as deliveries (unique per
ritual, occurrence and member) before anything is sent. APScheduler only wakes the pass.
"""
