"""Notifications: what Keyflow tells staff and parents, exactly once. `reminders_sweep` is the entry point other
code (the benchmark) may call directly."""


def reminders_sweep(*, now=None, batch_size: int = 500, on_batch=None) -> int:
    from .sweeps import reminders_sweep as sweep

    return sweep(now=now, batch_size=batch_size, on_batch=on_batch)
