"""Rule-based spaCy processing: a blank English pipeline with a lemma lookup and domain EntityRuler."""
