"""Settings: base (shared), local (demo and development), test, production."""
