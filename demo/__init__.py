"""The demo: the Hậu Giang 2023 seed, an illustrative block of
provincial departments, a campaign and the award cycle, loaded by
`manage.py load_demo` through the apps' services."""
