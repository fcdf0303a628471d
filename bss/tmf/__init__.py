"""The shared TM Forum Open API toolkit: every TMF endpoint in every app is built on it."""
