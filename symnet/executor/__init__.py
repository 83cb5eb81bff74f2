"""Binding symbols to memory and running them: compile, plan, execute."""
from .executor import Executor

__all__ = ["Executor"]
