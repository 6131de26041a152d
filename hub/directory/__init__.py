"""The directory: districts, schools, contacts, centers, programs, practices, vocabulary."""
