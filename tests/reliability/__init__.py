"""Proof under load and faults: nothing lost, nothing stuck, no 500 (issue 8)."""
