"""Users, roles, API tokens and the one policy module that decides who may do what."""
