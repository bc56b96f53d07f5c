"""What interchange formats mean, shared by their importers and exporters: each format's
value words, attribute names, id schemes and type tables (data files beside the modules).
A layer below ``importers`` and ``exporters``, which may not import each other."""
