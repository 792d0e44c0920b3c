"""The core's writes: the simulation clock (`clock`) and the partner-customer relationship
rows (`relationships`, their one writer). The clock services are re-exported here, the names
every page and test calls (`services.clock_advance`)."""

from .clock import beyond_bound_message, clock_advance, clock_reset

__all__ = ["beyond_bound_message", "clock_advance", "clock_reset"]
