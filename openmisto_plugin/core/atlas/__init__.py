"""The monthly PDF atlas of the working group: its data (:mod:`.data`), layout (:mod:`.layout`) and templates."""
