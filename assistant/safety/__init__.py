"""Safety: the question guard, prompt-injection defences, output checks and personal-data redaction."""
