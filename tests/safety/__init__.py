"""Safety route tests: the crisis and ordinary message sets (issue 4)."""
