"""Importers: NCES CCD directory files, catalog files and contact lists, with validation reports."""
