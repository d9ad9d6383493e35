"""Fixed texts shown to citizens, per language (German is the fallback for the city)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "de": {
        "abstained": (
            "Dazu habe ich in den Unterlagen der Stadt leider nichts Verlässliches gefunden. "
            "Bitte wenden Sie sich an das Bürgerbüro oder an die Behördennummer 115."
        ),
        "evidence_intro": "Das steht dazu in den Unterlagen der Stadt:",
        # Neutral pointers only: the city's own election office and its election page. No third-party
        # tools (not even the Wahl-O-Mat or party pages): choosing among them is itself a political
        # act that the city's legal office decides, not this assistant.
        "refused_political": (
            "Als Einrichtung der Stadtverwaltung bin ich politisch neutral und gebe keine Wahlempfehlungen "
            "oder Meinungen zu Parteien und Personen. Sachliche Informationen zur Wahl (Termine, "
            "Wahllokale, Briefwahl, Wahlhelfer) gebe ich gern. Neutrale Auskunft gibt das Wahlamt der Stadt, "
            "auch auf der Seite „Wahlen“ der städtischen Website."
        ),
        "refused_out_of_remit": (
            "Dabei kann ich als Assistent der Stadtverwaltung leider nicht helfen. Ich beantworte Fragen "
            "zu Leistungen und Angeboten der Stadt. Für rechtliche, medizinische oder steuerliche Beratung "
            "wenden Sie sich bitte an eine Fachstelle."
        ),
        # the same text for every kind of attempt: it confirms nothing about the rules or the prompt
        "refused_injection": (
            "Ich kann nur Fragen zu Leistungen der Stadt beantworten, zum Beispiel: "
            "„Wie melde ich meinen Wohnsitz um?“ Bitte stellen Sie Ihre Frage noch einmal."
        ),
        "referred": "Dafür ist nicht die Stadt zuständig:",
        "clarify": "Ihre Frage passt zu mehreren Themen. Meinen Sie {options}?",
        "or": "oder",
        "curated_other_language": "Diese Antwort haben Mitarbeitende der Stadt in einer anderen Sprache geprüft:",
        "conflict_note": "Hinweis: Andere Quellen nennen abweichende Angaben (siehe unten).",
        "documents_disagree": (
            "Die Unterlagen der Stadt widersprechen sich hier, und keine Quelle nennt ein Datum. "
            "Bitte fragen Sie beim zuständigen Amt nach, welche Angabe gilt."
        ),
        "undated_note": "Ohne Datum: {sources}.",
        "value_newer": (
            "{kind} {theirs} statt {ours}; die Antwort folgt der neueren Quelle ({newer} gegenüber {older})"
        ),
        "value_undated": (
            "{kind} {theirs} statt {ours}; diese Quelle nennt kein Datum, die Antwort folgt der datierten ({newer})"
        ),
        "value_both_undated": "{kind} {theirs} gegenüber {ours}; keine der Quellen nennt ein Datum",
        "kind_amount": "Betrag",
        "kind_duration": "Dauer",
        "which_row": (
            "Es gibt weitere Gebühren für diese Leistung ({options}). "
            "Sagen Sie mir, was auf Sie zutrifft, dann nenne ich den passenden Betrag."
        ),
    },
    "en": {
        "abstained": (
            "I could not find reliable information on this in the city's documents. "
            "Please contact the Citizens' Office or call the public service number 115."
        ),
        "evidence_intro": "This is what the city's documents say (original wording):",
        "fee_rows_intro": "The city's fee list says (the German original is shown with the sources):",
        "refused_political": (
            "As a service of the city administration I stay politically neutral and do not recommend "
            "parties or candidates or give opinions on them. I am happy to give factual election "
            "information (dates, polling stations, postal voting, poll workers). For neutral information, "
            "please contact the city's election office or see the elections page of the city's website."
        ),
        "refused_out_of_remit": (
            "I am sorry, I cannot help with that: I answer questions about the city's services. "
            "For legal, medical or tax advice, please contact a qualified advice service."
        ),
        "refused_injection": (
            "I can only answer questions about the city's services, for example: "
            '"How do I register my new address?" Please ask your question again.'
        ),
        "referred": "The city is not responsible for this:",
        "clarify": "Your question fits several topics. Do you mean {options}?",
        "or": "or",
        "curated_other_language": "City staff checked this answer in another language:",
        "conflict_note": "Note: other sources give different information (see below).",
        "documents_disagree": (
            "The city's documents disagree on this, and none of them is dated. "
            "Please ask the responsible office which information applies."
        ),
        "undated_note": "Not dated: {sources}.",
        "value_newer": (
            "{kind} {theirs} instead of {ours}; the answer follows the newer source ({newer} over {older})"
        ),
        "value_undated": (
            "{kind} {theirs} instead of {ours}; this source has no date, the answer follows the dated one ({newer})"
        ),
        "value_both_undated": "{kind} {theirs} versus {ours}; neither source is dated",
        "kind_amount": "amount",
        "kind_duration": "duration",
        "which_row": (
            "This service has further fees ({options}). "
            "Tell me which one applies to you and I will give the matching amount."
        ),
    },
}


# French frames of the conflict texts (every other key falls back to English, see message())
MESSAGES["fr"] = {
    "documents_disagree": (
        "Les documents de la ville se contredisent sur ce point, et aucun n'est daté. "
        "Veuillez demander au service compétent quelle information s'applique."
    ),
    "undated_note": "Sans date : {sources}.",
    "value_newer": (
        "{kind} {theirs} au lieu de {ours} ; la réponse suit la source la plus récente ({newer} contre {older})"
    ),
    "value_undated": (
        "{kind} {theirs} au lieu de {ours} ; cette source n'est pas datée, la réponse suit la source datée ({newer})"
    ),
    "value_both_undated": "{kind} {theirs} contre {ours} ; aucune des sources n'est datée",
    "kind_amount": "montant",
    "kind_duration": "durée",
}


def message(key: str, language: str) -> str:
    """The text ``key`` in ``language``; English for other languages, German as last resort."""
    for lang in (language, "en", "de"):
        if key in MESSAGES.get(lang, {}):
            return MESSAGES[lang][key]
    raise KeyError(key)


# -- the question router's replies (assistant/answering/stages/route.py), in the kiosk's 10 languages --
# Refusals name no party, person or outside tool; the crisis text follows the city's own emergency
# sentences and repeats only the nationwide numbers (112, 110, TelefonSeelsorge).
ROUTE_MESSAGES: dict[str, dict[str, str]] = {
    "de": {
        "refused_personal_advice": (
            "Eine persönliche rechtliche, medizinische oder steuerliche Beratung zu Ihrem Fall kann ich nicht "
            "geben. Bitte wenden Sie sich an eine Beratungsstelle, eine Ärztin oder einen Arzt, eine "
            "Rechtsanwältin oder einen Rechtsanwalt oder die Steuerberatung. Welche Beratungsangebote die Stadt "
            "hat, beantworte ich gern."
        ),
        "refused_abuse": (
            "Ich helfe gern bei Fragen zu Leistungen der Stadt. Beleidigungen, Drohungen und Hetze beantworte ich "
            "nicht."
        ),
        "crisis": (
            "Wenn Sie oder jemand anderes in Gefahr sind: Notruf 112 (Rettungsdienst, Feuerwehr), Polizei 110. "
            "Die TelefonSeelsorge ist rund um die Uhr kostenlos erreichbar: 0800 111 0 111 oder 0800 111 0 222. "
            "Sie sind nicht allein."
        ),
        "routed_other_authority": (
            "Dafür ist wahrscheinlich nicht die Stadt zuständig, sondern eine andere Behörde (zum Beispiel "
            "Finanzamt, Familienkasse, Agentur für Arbeit, Rentenversicherung oder Krankenkasse). In den "
            "Unterlagen der Stadt habe ich dazu nichts gefunden. Die Behördennummer 115 nennt Ihnen die "
            "zuständige Stelle."
        ),
    },
    "en": {
        "refused_personal_advice": (
            "I cannot give personal legal, medical or tax advice on your own case. Please contact an advice "
            "centre, a doctor, a lawyer or a tax adviser. I am happy to tell you which advice services the city "
            "offers."
        ),
        "refused_abuse": (
            "I am happy to help with questions about the city's services. I do not respond to insults, threats or hate."
        ),
        "crisis": (
            "If you or someone else is in danger: call 112 (ambulance, fire brigade) or the police on 110. "
            "The TelefonSeelsorge crisis line is free, day and night: 0800 111 0 111 or 0800 111 0 222. "
            "You are not alone."
        ),
        "routed_other_authority": (
            "This is probably not a matter for the city but for another authority (for example the tax office, "
            "the family benefits office, the employment agency, the pension insurance or your health insurer). "
            "The city's documents say nothing about it. The public service number 115 can tell you who is "
            "responsible."
        ),
    },
    "fr": {
        "refused_political": (
            "En tant que service de l'administration municipale, je reste politiquement neutre et je ne donne "
            "ni recommandation de vote ni avis sur les partis ou les candidats. Je réponds volontiers aux "
            "questions pratiques sur les élections (dates, bureaux de vote, vote par correspondance)."
        ),
        "refused_out_of_remit": (
            "Je ne peux pas vous aider pour cela : je réponds aux questions sur les services de la ville."
        ),
        "refused_injection": (
            "Je peux seulement répondre aux questions sur les services de la ville. Posez votre question à "
            "nouveau, s'il vous plaît."
        ),
        "refused_personal_advice": (
            "Je ne peux pas donner de conseil juridique, médical ou fiscal personnel sur votre cas. Adressez-vous "
            "à un service de conseil, à un médecin ou à un avocat."
        ),
        "refused_abuse": (
            "Je réponds volontiers aux questions sur les services de la ville, mais pas aux insultes, menaces ou "
            "propos haineux."
        ),
        "crisis": (
            "Si vous ou quelqu'un d'autre êtes en danger : appelez le 112 (secours) ou la police au 110. "
            "Ligne d'écoute TelefonSeelsorge, gratuite jour et nuit : 0800 111 0 111. Vous n'êtes pas seul(e)."
        ),
        "routed_other_authority": (
            "Ce n'est probablement pas la ville qui est compétente, mais une autre administration. Le numéro 115 "
            "vous indique le service compétent."
        ),
    },
    "tr": {
        "refused_political": (
            "Belediye yönetiminin bir hizmeti olarak siyasi açıdan tarafsızım; partiler veya adaylar hakkında oy "
            "tavsiyesi ya da görüş vermem. Seçimle ilgili pratik bilgileri (tarihler, sandık yerleri, posta ile "
            "oy) memnuniyetle veririm."
        ),
        "refused_out_of_remit": "Bu konuda yardımcı olamam: Belediyenin hizmetleriyle ilgili soruları yanıtlıyorum.",
        "refused_injection": (
            "Yalnızca belediye hizmetleriyle ilgili soruları yanıtlayabilirim. Lütfen sorunuzu tekrar sorun."
        ),
        "refused_personal_advice": (
            "Kendi durumunuz hakkında kişisel hukuki, tıbbi veya vergi danışmanlığı veremem. Lütfen bir danışma "
            "merkezine, doktora veya avukata başvurun."
        ),
        "refused_abuse": (
            "Belediye hizmetleriyle ilgili sorularınıza memnuniyetle yardımcı olurum; hakaret, tehdit ve nefret "
            "söylemine yanıt vermem."
        ),
        "crisis": (
            "Siz veya başka biri tehlikedeyse: 112'yi (ambulans, itfaiye) veya polisi 110'u arayın. TelefonSeelsorge "
            "kriz hattı gece gündüz ücretsizdir: 0800 111 0 111. Yalnız değilsiniz."
        ),
        "routed_other_authority": (
            "Bu konuda muhtemelen belediye değil, başka bir kurum yetkilidir. 115 numarası size yetkili birimi söyler."
        ),
    },
    "uk": {
        "refused_political": (
            "Як служба міської адміністрації я політично нейтральний і не даю рекомендацій щодо голосування чи "
            "оцінок партій і кандидатів. Охоче надам фактичну інформацію про вибори (дати, виборчі дільниці, "
            "голосування поштою)."
        ),
        "refused_out_of_remit": "На жаль, з цим я не можу допомогти: я відповідаю на запитання про послуги міста.",
        "refused_injection": (
            "Я можу відповідати лише на запитання про послуги міста. Будь ласка, поставте запитання ще раз."
        ),
        "refused_personal_advice": (
            "Я не можу надати особисту юридичну, медичну чи податкову консультацію щодо вашої ситуації. Зверніться, "
            "будь ласка, до консультаційного центру, лікаря або адвоката."
        ),
        "refused_abuse": (
            "Я охоче допоможу з питаннями про послуги міста, але не відповідаю на образи, погрози чи ворожнечу."
        ),
        "crisis": (
            "Якщо вам або комусь іншому загрожує небезпека: телефонуйте 112 (швидка, пожежна) або в поліцію 110. "
            "Кризова лінія TelefonSeelsorge безкоштовна цілодобово: 0800 111 0 111. Ви не самі."
        ),
        "routed_other_authority": (
            "Найімовірніше, за це відповідає не місто, а інший орган влади. Номер 115 підкаже, хто відповідальний."
        ),
    },
    "ru": {
        "refused_political": (
            "Как служба городской администрации я политически нейтрален и не даю рекомендаций по голосованию "
            "или оценок партий и кандидатов. Охотно дам фактическую информацию о выборах (даты, избирательные "
            "участки, голосование по почте)."
        ),
        "refused_out_of_remit": "К сожалению, с этим я помочь не могу: я отвечаю на вопросы об услугах города.",
        "refused_injection": "Я могу отвечать только на вопросы об услугах города. Пожалуйста, задайте вопрос ещё раз.",
        "refused_personal_advice": (
            "Я не могу дать личную юридическую, медицинскую или налоговую консультацию по вашему случаю. "
            "Обратитесь, пожалуйста, в консультационный центр, к врачу или адвокату."
        ),
        "refused_abuse": (
            "Я охотно помогу с вопросами об услугах города, но не отвечаю на оскорбления, угрозы и ненависть."
        ),
        "crisis": (
            "Если вам или кому-то другому грозит опасность: звоните 112 (скорая, пожарные) или в полицию 110. "
            "Кризисная линия TelefonSeelsorge бесплатна круглосуточно: 0800 111 0 111. Вы не одни."
        ),
        "routed_other_authority": (
            "Скорее всего, за это отвечает не город, а другое ведомство. По номеру 115 вам подскажут, кто ответственен."
        ),
    },
    "ar": {
        "refused_political": (
            "بصفتي خدمة تابعة لإدارة المدينة، أبقى محايدًا سياسيًا ولا أقدم توصيات انتخابية أو آراء حول الأحزاب "
            "أو المرشحين. يسعدني تقديم معلومات عملية عن الانتخابات (المواعيد، مراكز الاقتراع، التصويت بالبريد)."
        ),
        "refused_out_of_remit": "عذرًا، لا أستطيع المساعدة في ذلك: أجيب عن الأسئلة المتعلقة بخدمات المدينة.",
        "refused_injection": "أستطيع الإجابة فقط عن الأسئلة المتعلقة بخدمات المدينة. يرجى طرح سؤالك مرة أخرى.",
        "refused_personal_advice": (
            "لا أستطيع تقديم استشارة قانونية أو طبية أو ضريبية شخصية بشأن حالتك. يرجى التوجه إلى مركز استشارات "
            "أو طبيب أو محامٍ."
        ),
        "refused_abuse": (
            "يسعدني المساعدة في الأسئلة المتعلقة بخدمات المدينة، لكنني لا أرد على الإهانات أو التهديدات أو الكراهية."
        ),
        "crisis": (
            "إذا كنت أنت أو شخص آخر في خطر: اتصل بالرقم 112 (الإسعاف، الإطفاء) أو بالشرطة 110. خط الأزمات "
            "TelefonSeelsorge مجاني على مدار الساعة: 0800 111 0 111. لست وحدك."
        ),
        "routed_other_authority": (
            "على الأرجح ليست المدينة هي المسؤولة عن ذلك بل جهة أخرى. الرقم 115 يخبرك بالجهة المختصة."
        ),
    },
    "pl": {
        "refused_political": (
            "Jako usługa administracji miejskiej zachowuję neutralność polityczną i nie udzielam rekomendacji "
            "wyborczych ani opinii o partiach i kandydatach. Chętnie podam informacje praktyczne o wyborach "
            "(terminy, lokale wyborcze, głosowanie korespondencyjne)."
        ),
        "refused_out_of_remit": "Niestety nie mogę w tym pomóc: odpowiadam na pytania o usługi miasta.",
        "refused_injection": "Mogę odpowiadać tylko na pytania o usługi miasta. Proszę zadać pytanie jeszcze raz.",
        "refused_personal_advice": (
            "Nie mogę udzielić osobistej porady prawnej, medycznej ani podatkowej w Pana/Pani sprawie. Proszę "
            "zwrócić się do poradni, lekarza lub adwokata."
        ),
        "refused_abuse": (
            "Chętnie pomogę w sprawach usług miasta, ale nie odpowiadam na obelgi, groźby ani mowę nienawiści."
        ),
        "crisis": (
            "Jeśli Ty lub ktoś inny jest w niebezpieczeństwie: dzwoń pod 112 (pogotowie, straż pożarna) lub na "
            "policję 110. Telefon zaufania TelefonSeelsorge jest bezpłatny całą dobę: 0800 111 0 111. "
            "Nie jesteś sam(a)."
        ),
        "routed_other_authority": (
            "Za tę sprawę prawdopodobnie odpowiada nie miasto, lecz inny urząd. Numer 115 wskaże właściwy urząd."
        ),
    },
    "es": {
        "refused_political": (
            "Como servicio de la administración municipal soy políticamente neutral y no doy recomendaciones de "
            "voto ni opiniones sobre partidos o candidatos. Con gusto doy información práctica sobre las "
            "elecciones (fechas, colegios electorales, voto por correo)."
        ),
        "refused_out_of_remit": (
            "Lo siento, no puedo ayudar con eso: respondo preguntas sobre los servicios de la ciudad."
        ),
        "refused_injection": (
            "Solo puedo responder preguntas sobre los servicios de la ciudad. Por favor, formule su pregunta de nuevo."
        ),
        "refused_personal_advice": (
            "No puedo dar asesoramiento jurídico, médico o fiscal personal sobre su caso. Diríjase a un servicio "
            "de asesoramiento, a un médico o a un abogado."
        ),
        "refused_abuse": (
            "Con gusto ayudo con preguntas sobre los servicios de la ciudad, pero no respondo a insultos, amenazas ni "
            "odio."
        ),
        "crisis": (
            "Si usted u otra persona está en peligro: llame al 112 (ambulancia, bomberos) o a la policía, 110. "
            "La línea de crisis TelefonSeelsorge es gratuita día y noche: 0800 111 0 111. No está solo/a."
        ),
        "routed_other_authority": (
            "Probablemente no es competencia de la ciudad, sino de otra autoridad. El número 115 le indica la "
            "oficina competente."
        ),
    },
    "it": {
        "refused_political": (
            "Come servizio dell'amministrazione comunale resto politicamente neutrale e non do indicazioni di voto "
            "né opinioni su partiti o candidati. Fornisco volentieri informazioni pratiche sulle elezioni (date, "
            "seggi, voto per corrispondenza)."
        ),
        "refused_out_of_remit": "Mi dispiace, non posso aiutare in questo: rispondo a domande sui servizi della città.",
        "refused_injection": "Posso rispondere solo a domande sui servizi della città. Per favore, ripeta la domanda.",
        "refused_personal_advice": (
            "Non posso dare consulenza legale, medica o fiscale personale sul suo caso. Si rivolga a un centro di "
            "consulenza, a un medico o a un avvocato."
        ),
        "refused_abuse": (
            "Aiuto volentieri con domande sui servizi della città, ma non rispondo a insulti, minacce o odio."
        ),
        "crisis": (
            "Se lei o un'altra persona è in pericolo: chiami il 112 (ambulanza, vigili del fuoco) o la polizia al "
            "110. La linea di crisi TelefonSeelsorge è gratuita giorno e notte: 0800 111 0 111. Non è solo/a."
        ),
        "routed_other_authority": (
            "Probabilmente non è competenza del comune ma di un'altra autorità. Il numero 115 le indica l'ufficio "
            "competente."
        ),
    },
}
for _language, _texts in ROUTE_MESSAGES.items():
    MESSAGES.setdefault(_language, {}).update(_texts)
