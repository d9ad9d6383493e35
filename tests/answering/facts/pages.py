"""Two fee pages the fact tests read: a dog tax table and an identity card table."""

DOG_TAX = """# Hundesteuer

## Steuersätze

- erster Hund: 120,00 Euro im Jahr
- zweiter Hund: 180,00 Euro im Jahr
- jeder weitere Hund: 180,00 Euro im Jahr
- gefährlicher Hund (Listenhund): 720,00 Euro im Jahr
"""
ID_CARD = """# Personalausweis

## Gebühren

- unter 24 Jahren: 27,60 Euro
- über 24 Jahren: 46 Euro
- vorläufiger Personalausweis: 10 Euro
- Gebühr für Passfoto am Foto-Terminal: 6 Euro
- Einschalten/Entsperrung der Online-Ausweisfunktion: gebührenfrei
"""
