"""Facts in text and answers by fact.

* ``values``: amounts, numbers, dates, times, phone numbers, e-mails and rooms in a text, normalised;
* ``words``: the glossary (English names -> the pages' German words), stemming, word comparison;
* ``qualifiers``: which row of a table (age band, first/further, variant, weekday);
* ``rows``: fee and opening-hour rows of a document as slot facts (service, item, qualifier -> value);
* ``questions``: what a question says about the row it wants, and the rows that fit it;
* ``english``: a German fee row in English words;
* ``answers``: the fee row that fits the question, and disagreeing sources by fact.
"""
