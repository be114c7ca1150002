"""What comes back from caseworkers: the outcome import (docs/CONTRACT.md §5)."""
