"""The directory: districts, schools, contacts, centers, programs, practices and their vocabulary."""
