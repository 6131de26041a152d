"""School Safety Hub: a statewide school safety center's directory, alert network and federation."""
