"""The policy gate: the lake's invariants checked on the HCL and on the plan."""
