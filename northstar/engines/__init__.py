"""Pure computation engines: plain dataclasses in and out, no Django, no I/O."""
