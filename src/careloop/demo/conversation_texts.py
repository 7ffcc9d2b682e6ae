"""What the demo's customers and agents write: topics, tones and slot fillers, all our own.

Messages are assembled from small pools (opener, problem, detail, closer) and filled with
products, order numbers and dates, so thousands of conversations rarely repeat a text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tone(StrEnum):
    CALM = "calm"
    CONFUSED = "confused"
    ANXIOUS = "anxious"
    ANGRY = "angry"
    GRATEFUL = "grateful"


# How often each tone opens a conversation.
TONE_WEIGHTS = {
    Tone.CALM: 40,
    Tone.CONFUSED: 17,
    Tone.ANXIOUS: 15,
    Tone.ANGRY: 15,
    Tone.GRATEFUL: 13,
}

# (name, kind): kind decides which sizes apply (footwear: EU sizes, apparel: letters, gear: none).
PRODUCTS = (
    ("Ridgeline 45L backpack", "gear"),
    ("Ridgeline 30L daypack", "gear"),
    ("Fjordlight 2-person tent", "gear"),
    ("Fjordlight 3-person tent", "gear"),
    ("Pinecrest down sleeping bag (-5 °C)", "gear"),
    ("Kestrel carbon trekking poles", "gear"),
    ("Lumen 400 headlamp", "gear"),
    ("Driftwood camp stove", "gear"),
    ("Meridian insulated bottle", "gear"),
    ("Basalt climbing harness", "gear"),
    ("Alder down jacket", "apparel"),
    ("Harbour 3-layer rain shell", "apparel"),
    ("Headwind softshell jacket", "apparel"),
    ("Tarn merino base layer", "apparel"),
    ("Scree hiking trousers", "apparel"),
    ("Lichen fleece hoodie", "apparel"),
    ("Cascade trail running shoes", "footwear"),
    ("Summit Pro leather hiking boots", "footwear"),
    ("Moraine approach shoes", "footwear"),
    ("Tidewater sandals", "footwear"),
)
COLOURS = ("forest green", "slate grey", "ember orange", "midnight blue", "sand", "black")
SIZES = {
    "apparel": ("XS", "S", "M", "L", "XL", "XXL"),
    "footwear": tuple(str(size) for size in range(37, 48)),
}
CARRIERS = ("PostNL", "DHL", "DPD", "UPS", "GLS")
TRIPS = (
    "my trek in the Dolomites",
    "a week on the West Highland Way",
    "our family camping trip",
    "the Kungsleden hike",
    "a climbing weekend in Fontainebleau",
    "walking the Camino",
    "a hut-to-hut tour in Tirol",
    "my first winter camp",
    "a canoe trip in the Ardennes",
    "the GR20 in Corsica",
)
TRIP_DATES = (
    "this Saturday",
    "next Friday",
    "in ten days",
    "on the 1st",
    "early next week",
    "at the end of the month",
)


@dataclass(frozen=True)
class Topic:
    """One kind of problem, with everything the demo needs to write a conversation about it."""

    key: str
    tags: tuple[str, ...]
    billing: bool  # routed to Orders & Billing rather than the frontline teams
    subjects: tuple[str, ...]
    problems: tuple[str, ...]
    details: tuple[str, ...]
    follow_ups: tuple[str, ...]
    answers: tuple[str, ...]
    resolutions: tuple[str, ...]
    notes: tuple[str, ...]
    needs_size: bool = False


TOPICS = (
    Topic(
        key="delivery_delay",
        tags=("delivery", "delay"),
        billing=False,
        subjects=(
            "Where is my order {order}?",
            "Order {order} still not delivered",
            "Delivery delay – {order}",
            "Tracking has not moved for {days} days",
            "My {product} hasn't arrived",
        ),
        problems=(
            "I ordered the {product} on {order_date} (order {order}) and it still hasn't arrived.",
            "My order {order} was supposed to arrive by now, but the {carrier} tracking has "
            "said 'in transit' for {days} days.",
            "Could you tell me where order {order} is? The tracking number {tracking} shows "
            "nothing since {order_date}.",
            "The {product} I ordered on {order_date} was meant to be delivered in 2–3 days. "
            "It has been {days} days now.",
        ),
        details=(
            "I need it for {trip} {trip_date}.",
            "Nobody has been to the door and there is no card from {carrier}.",
            "The estimated delivery date keeps moving.",
            "I paid for express shipping.",
            "",
        ),
        follow_ups=(
            "Still nothing from {carrier} today. Is there any news on {order}?",
            "The tracking now says 'returned to sender' – what does that mean?",
            "Thanks. If it doesn't come before {trip_date} can I cancel and get a refund?",
            "It arrived this morning, all good. Thanks for chasing it!",
        ),
        answers=(
            "I've checked with {carrier}: your parcel {tracking} was held at their depot "
            "after a sorting delay. They've promised delivery within two working days.",
            "Order {order} left our warehouse on {order_date}; {carrier} has it but the scan "
            "was missed. I've opened an investigation with them.",
            "I'm sending a replacement {product} by express today, so it reaches you before "
            "{trip_date}. If the first parcel still turns up, just refuse it.",
        ),
        resolutions=(
            "Your replacement is on its way with tracking {tracking}; I've refunded the "
            "shipping cost as well.",
            "{carrier} confirms delivery today. I'll close this, but just reply if it doesn't "
            "show up.",
            "Glad it reached you in time. Have a great time on {trip}!",
        ),
        notes=(
            "Carrier claim opened with {carrier} for {tracking}.",
            "Third delay on {carrier} this week for this postcode area – flagged to logistics.",
            "Customer has a trip {trip_date}; sent express replacement, no charge.",
        ),
    ),
    Topic(
        key="damaged_item",
        tags=("damaged", "returns"),
        billing=False,
        subjects=(
            "{product} arrived damaged",
            "Broken item in order {order}",
            "Damaged parcel – {order}",
            "Problem with my {product}",
        ),
        problems=(
            "My {product} arrived today and it's damaged: {damage}.",
            "I opened the parcel for order {order} and found that the {product} is "
            "faulty – {damage}.",
            "The {product} from order {order} came with {damage}. The box was crushed too.",
        ),
        details=(
            "I've attached photos.",
            "I haven't used it, it's straight out of the box.",
            "I was going to use it for {trip} {trip_date}.",
            "",
        ),
        follow_ups=(
            "I've sent the photos now. What happens next?",
            "Do I need to print the return label or can I just drop it at {carrier}?",
            "The replacement came and it's perfect. Thank you!",
            "I still haven't received the return label you mentioned.",
        ),
        answers=(
            "That's not how your {product} should arrive. I've sent a free return label to "
            "your email; as soon as {carrier} scans it we'll ship the replacement.",
            "Thanks for the photos – that's clearly transport damage. A new {product} is "
            "already on its way, no need to send the old one back.",
            "I've arranged a collection by {carrier} and reserved a replacement {product} "
            "in {colour} for you.",
        ),
        resolutions=(
            "Your replacement has shipped (tracking {tracking}). Sorry again for the trouble.",
            "I've issued a full refund of {amount} to your original payment method.",
            "The replacement is confirmed as delivered. Enjoy it!",
        ),
        notes=(
            "Photos confirm transport damage; claim against {carrier}.",
            "Batch check: second damaged {product} this month – passed to QA.",
        ),
    ),
    Topic(
        key="sizing_swap",
        tags=("sizing", "exchange"),
        billing=False,
        needs_size=True,
        subjects=(
            "Exchange {product} for a different size",
            "Wrong size – can I swap?",
            "Size swap for order {order}",
            "{product} too small",
        ),
        problems=(
            "The {product} in size {size} is too small. Can I swap it for a {other_size}?",
            "I ordered the {product} in {size} but it's far too big. I'd like to exchange "
            "it for {other_size}.",
            "Is it possible to exchange the {product} (order {order}) for size {other_size}? "
            "The {size} doesn't fit.",
        ),
        details=(
            "I've only tried it on indoors, the tags are still on.",
            "Your size guide said {size} for my measurements.",
            "Ideally in {colour} again.",
            "",
        ),
        follow_ups=(
            "Is the {other_size} in stock? The website says it's sold out.",
            "I sent it back yesterday with {carrier}. Tracking: {tracking}.",
            "The new size fits perfectly, thanks a lot!",
            "How long does the exchange usually take?",
        ),
        answers=(
            "Of course. I've reserved a {product} in {other_size} for you and emailed a free "
            "return label for the {size}.",
            "The {other_size} is back in stock on Thursday; I've put one aside and will ship "
            "it the moment your return is scanned.",
            "Happy to swap it. The {product} runs small, so {other_size} should be right.",
        ),
        resolutions=(
            "Your {product} in {other_size} has shipped with tracking {tracking}.",
            "The exchange is complete and the new size is on its way.",
        ),
        notes=(
            "Size guide for {product} seems off by one size – third complaint, told product.",
            "Reserved {other_size} in the warehouse system for this exchange.",
        ),
    ),
    Topic(
        key="refund",
        tags=("refund", "returns"),
        billing=True,
        subjects=(
            "Refund for order {order}",
            "Still waiting for my refund",
            "Return received? Order {order}",
            "Refund of {amount} not received",
        ),
        problems=(
            "I returned the {product} {days} days ago (order {order}) and haven't had my "
            "refund of {amount} yet.",
            "Could you confirm you received my return for order {order}? {carrier} says it "
            "was delivered to you on {order_date}.",
            "I'd like to return the {product} from order {order} for a refund. How do I do that?",
        ),
        details=(
            "The return tracking number is {tracking}.",
            "I paid by credit card.",
            "I paid with PayPal.",
            "",
        ),
        follow_ups=(
            "It's been another week and still no refund on my card.",
            "My bank says they see nothing pending. Can you send me proof of the refund?",
            "I can see the money now, thank you.",
        ),
        answers=(
            "Your return arrived on {order_date} and I've just approved the refund of "
            "{amount}. Banks usually take 3–5 working days to show it.",
            "I can see the return is still in our warehouse queue; I've pushed it through "
            "today, so the refund of {amount} is on its way.",
            "You can return it free of charge within 60 days. I've emailed a return label "
            "for order {order}.",
        ),
        resolutions=(
            "The refund of {amount} was processed today (reference {invoice}).",
            "Refund confirmed. Thanks for your patience.",
        ),
        notes=(
            "Return sat in the warehouse queue for 9 days – raised with the returns team.",
            "Refund {amount} approved, reference {invoice}.",
        ),
    ),
    Topic(
        key="warranty",
        tags=("warranty",),
        billing=False,
        subjects=(
            "Warranty claim – {product}",
            "{product} broke after a few months",
            "Is this covered by warranty?",
        ),
        problems=(
            "My {product} (bought on {order_date}) has {wear}. Is that covered by the warranty?",
            "After only a few trips my {product} has {wear}. I'd like to make a warranty claim.",
            "I've had the {product} for about a year and it now has {wear}.",
        ),
        details=(
            "I've always cared for it as the label says.",
            "I can send photos if that helps.",
            "I bought it in your Utrecht store, not online.",
            "",
        ),
        follow_ups=(
            "Here are the photos. The receipt is attached too.",
            "Do I send it to you or to the manufacturer?",
            "How long will the repair take? I need it for {trip}.",
            "The repaired one came back and it looks as good as new. Great service.",
        ),
        answers=(
            "That is covered: {wear} shouldn't happen within two years. Please send it to "
            "our repair partner with the label I've emailed.",
            "Thanks for the photos. Our repair team will fix it for free, usually within "
            "two weeks.",
            "I've approved the claim and we'll send you a new {product} instead of a repair.",
        ),
        resolutions=(
            "Your {product} is repaired and on its way back (tracking {tracking}).",
            "The replacement {product} has shipped; no need to return the old one.",
        ),
        notes=(
            "Warranty approved: within 2 years, no sign of misuse.",
            "Repair partner quotes 10 working days.",
        ),
    ),
    Topic(
        key="invoice",
        tags=("invoice", "billing"),
        billing=True,
        subjects=(
            "Invoice for order {order}",
            "VAT invoice needed",
            "Wrong company name on invoice {invoice}",
        ),
        problems=(
            "Could you send me a VAT invoice for order {order}? I need it for my expenses.",
            "The invoice {invoice} has the wrong company name; it should be {company}.",
            "I was charged {amount} twice for order {order}. Can you check?",
        ),
        details=(
            "Our VAT number is on the account.",
            "Our accounts team closes the month on Friday.",
            "",
        ),
        follow_ups=(
            "Thanks – could you also add our purchase order number?",
            "I still see two charges of {amount} on my statement.",
            "Got it, thank you.",
        ),
        answers=(
            "I've attached the corrected invoice {invoice} made out to {company}.",
            "You were only charged once; the second line is a pre-authorisation that your "
            "bank releases within a few days.",
            "Here is the VAT invoice for order {order}. You can also download invoices from "
            "your account page.",
        ),
        resolutions=(
            "The corrected invoice is in your inbox.",
            "The duplicate charge of {amount} has been refunded.",
        ),
        notes=(
            "Duplicate charge confirmed in the payment provider; refunded {amount}.",
            "Invoice regenerated with the new company name.",
        ),
    ),
    Topic(
        key="account",
        tags=("account",),
        billing=False,
        subjects=(
            "Can't log in to my account",
            "Password reset email not arriving",
            "Change the email address on my account",
            "Please delete my account",
        ),
        problems=(
            "I can't log in to my account – it says my password is wrong, but the reset "
            "email never arrives.",
            "I'd like to change the email address on my account to {email_alt}.",
            "Please close my account and delete my data.",
            "My order history is empty, but I definitely ordered the {product} last year.",
        ),
        details=(
            "I've checked my spam folder.",
            "I placed the order as a guest, maybe that's why?",
            "",
        ),
        follow_ups=(
            "Still no email, I've tried three times now.",
            "That worked, I'm in. Thanks!",
            "Do you also delete my order history?",
        ),
        answers=(
            "I've reset your password manually and sent a fresh link; it's valid for one hour.",
            "Done – your account now uses the new address. You'll get a confirmation there.",
            "Guest orders aren't linked to an account; I've merged order {order} into your "
            "account now.",
        ),
        resolutions=(
            "Everything is sorted on your account.",
            "Your account is closed and your personal data deleted, except invoices we must "
            "keep by law.",
        ),
        notes=(
            "Reset emails to this domain bounce – passed to IT.",
            "Identity checked against the last order before changing the email address.",
        ),
    ),
    Topic(
        key="product_question",
        tags=("product-question",),
        billing=False,
        subjects=(
            "Question about the {product}",
            "Is the {product} suitable for {trip}?",
            "{product} vs {product2}",
        ),
        problems=(
            "Is the {product} suitable for {trip}?",
            "I'm choosing between the {product} and the {product2}. Which would you "
            "recommend for {trip}?",
            "Does the {product} come in {colour}? And how does it fit?",
            "How waterproof is the {product}, really?",
        ),
        details=(
            "I'm about 1.80 m and usually wear {size}.",
            "I tend to get cold easily.",
            "Weight matters a lot to me.",
            "",
        ),
        follow_ups=(
            "Thanks, that helps. Will it be back in stock soon?",
            "And would that work with the {product2} as well?",
            "Perfect, I've just ordered it.",
        ),
        answers=(
            "Good question. For {trip} the {product} works well; the {product2} is lighter "
            "but less warm.",
            "The {product} fits true to size; if you're between sizes, go up one.",
            "Yes, it's fully taped and rated 20,000 mm, so it handles a day of steady rain.",
        ),
        resolutions=(
            "Have a wonderful time on {trip}!",
            "Glad I could help – enjoy the new gear.",
        ),
        notes=(
            "Customer asked about a product we don't stock yet – passed to buying.",
            "Recommended {product2}; customer may order today.",
        ),
    ),
    Topic(
        key="order_change",
        tags=("order-change",),
        billing=True,
        subjects=(
            "Change delivery address for {order}",
            "Cancel order {order}",
            "Add an item to my order",
        ),
        problems=(
            "I entered the wrong delivery address for order {order}. Can you still change it?",
            "Please cancel order {order}; I ordered the {product} twice by mistake.",
            "Can I still add a {product2} to order {order} before it ships?",
        ),
        details=(
            "I only placed it an hour ago.",
            "The right address is my work address, I can send it.",
            "",
        ),
        follow_ups=(
            "Did the change go through? The confirmation still shows the old address.",
            "Great, thanks for the quick help.",
        ),
        answers=(
            "I caught it before it was packed – the address on order {order} is updated.",
            "The order had already left the warehouse, but I've asked {carrier} to redirect it.",
            "I've cancelled the duplicate order; the refund of {amount} is on its way.",
        ),
        resolutions=(
            "All done: order {order} is updated.",
            "The cancellation is confirmed.",
        ),
        notes=(
            "Redirect requested with {carrier} for {tracking}.",
            "Order was already in picking – warehouse pulled it.",
        ),
    ),
)

# What goes wrong, by kind of product: a bottle has no zip to break.
DAMAGES = {
    "gear": ("a deep dent on one side", "a missing part", "a cracked buckle", "scratches all over"),
    "apparel": ("a tear along the side seam", "a broken zip", "a stain that won't wash out"),
    "footwear": ("a split along the sole", "two different sizes in the box", "a broken lace hook"),
}
WEARS = {
    "gear": ("a buckle that snapped", "a seam that has split", "a crack in the housing"),
    "apparel": ("a zip that keeps splitting", "seams letting water in", "lost most of its loft"),
    "footwear": ("a delaminating sole", "stitching coming undone", "a leak at the toe"),
}

OPENERS = {
    Tone.CALM: ("", "I hope you can help.", "Quick question.", "I have a small problem."),
    Tone.CONFUSED: (
        "I'm a bit confused.",
        "Maybe I'm missing something, but",
        "Sorry if this is a silly question.",
        "I don't understand what is going on.",
    ),
    Tone.ANXIOUS: (
        "I'm getting really worried.",
        "Please help, I'm running out of time.",
        "I'm quite stressed about this.",
        "I'm sorry to chase, but this is urgent for me.",
    ),
    Tone.ANGRY: (
        "This is really not good enough.",
        "I am extremely disappointed.",
        "Frankly, this is unacceptable.",
        "I've been a customer for years and I'm fed up.",
    ),
    Tone.GRATEFUL: (
        "First of all, thank you for the great service last time!",
        "I love your shop, so I'm sure we can sort this out.",
        "Thanks for always being so helpful.",
        "You were brilliant last time, so here I am again.",
    ),
}
CLOSERS = {
    Tone.CALM: ("Thanks in advance.", "Thank you.", "Looking forward to your reply.", ""),
    Tone.CONFUSED: (
        "Could you explain what I should do?",
        "What do I need to do now?",
        "Any help is appreciated.",
    ),
    Tone.ANXIOUS: (
        "Please let me know as soon as possible.",
        "I really hope you can help quickly.",
        "Could someone get back to me today?",
    ),
    Tone.ANGRY: (
        "I expect this to be fixed immediately.",
        "I want a proper answer this time, not a template.",
        "If this isn't resolved I'll go elsewhere.",
        "Please sort this out today.",
    ),
    Tone.GRATEFUL: ("Thanks so much!", "Many thanks, you're great.", "Thank you kindly!"),
}
# Some customers write in their own language. The empathy engine reads English only, so these
# show "distress not read: Spanish" in the inbox instead of an English model's guess.
NATIVE_OPENINGS = {
    "es": (
        "Hola:\n\nMi pedido {order} llegó dañado y nadie me ha respondido todavía. ¿Pueden "
        "enviarme uno nuevo, por favor?\n\nGracias,\n{first}",
        "Buenos días:\n\nLlevo dos semanas esperando el reembolso del pedido {order}. ¿Me "
        "pueden decir qué está pasando?\n\nUn saludo,\n{first}",
    ),
    "de": (
        "Hallo,\n\nmeine Bestellung {order} ist seit zwei Wochen nicht angekommen, und "
        "niemand antwortet auf meine E-Mails. Was ist da los?\n\nViele Grüße\n{first}",
        "Guten Tag,\n\ndie Lieferung zu Bestellung {order} war beschädigt. Bitte schicken "
        "Sie mir einen Ersatz.\n\nMit freundlichen Grüßen\n{first}",
    ),
    "fr": (
        "Bonjour,\n\nJ'attends toujours le remboursement de ma commande {order}. Pouvez-vous "
        "me dire où en est mon dossier ?\n\nCordialement,\n{first}",
        "Bonjour,\n\nLe colis de la commande {order} est arrivé abîmé et personne ne me "
        "répond. Je suis vraiment déçue.\n\nMerci,\n{first}",
    ),
}
GREETINGS = ("Hello,", "Hi,", "Hi there,", "Good morning,", "Dear Harbour & Pine team,", "Hey,")
SIGN_OFFS = ("Kind regards,", "Best,", "Thanks,", "Cheers,", "Best wishes,", "Regards,")
REPEAT_LINES = (
    "I already wrote about this on {previous_date} and it still isn't sorted.",
    "This is the second time I'm contacting you about this.",
    "Following up on my earlier message from {previous_date}.",
)
REOPEN_LINES = (
    "Sorry, I have to open this again:",
    "It's not actually fixed:",
    "Unfortunately this isn't over yet.",
)
# Follow-ups in which the customer says the problem is sorted: never followed by a threat in
# the same message, and never the last word of a conversation that still waits on us.
SETTLED_FOLLOW_UPS = frozenset(
    {
        "It arrived this morning, all good. Thanks for chasing it!",
        "The replacement came and it's perfect. Thank you!",
        "The new size fits perfectly, thanks a lot!",
        "I can see the money now, thank you.",
        "The repaired one came back and it looks as good as new. Great service.",
        "Got it, thank you.",
        "That worked, I'm in. Thanks!",
        "Perfect, I've just ordered it.",
        "Great, thanks for the quick help.",
    }
)
THANKS_LINES = (
    "Thank you, that's perfect.",
    "Brilliant, thanks for your help.",
    "Great, thanks so much.",
    "OK, thanks.",
)

EMPATHY_OPENERS = {
    Tone.CALM: ("Thanks for getting in touch.", "Thanks for letting us know."),
    Tone.CONFUSED: (
        "Sorry this was confusing – let me explain what happened.",
        "Good question, and you're right to ask.",
    ),
    Tone.ANXIOUS: (
        "I understand the time pressure, so I've made this my priority.",
        "I can see how worrying this is with your plans coming up.",
    ),
    Tone.ANGRY: (
        "I'm really sorry – you shouldn't have had to chase us for this.",
        "You're right to be frustrated, and I'm sorry we let you down.",
        "I'm sorry about this; it's not the experience we want you to have.",
    ),
    Tone.GRATEFUL: ("Thank you for the kind words!", "Lovely to hear from you again."),
}
PLAIN_OPENERS = ("Thanks for your message.", "Thank you for contacting us.", "")
# What an agent adds when they have the room to care: a question about the person.
EXPLORATIONS = (
    "How are you feeling about {trip} now?",
    "Is there anything else on your mind before {trip_date}?",
    "What would make this right for you?",
    "How has the {product} been otherwise?",
)
# What a hurried, unsupported agent falls back on.
POLICY_LINES = (
    "Unfortunately that is our policy.",
    "As per our terms and conditions, this is all we can offer.",
    "We are unable to make exceptions.",
)
AGENT_SIGN_OFFS = ("Best regards,", "Kind regards,", "Warm wishes,", "All the best,")
CHECK_INS = (
    "Could you confirm that works for you?",
    "Let me know if anything else comes up.",
    "Just reply to this message if you need anything else.",
    "",
)
WAITING_REPLIES = (
    "I've asked our warehouse to check and will update you as soon as I hear back.",
    "I'm waiting for {carrier} to confirm; I'll get back to you within two working days.",
    "Could you send me a photo of the label on the box? Then I can take it from there.",
    "Could you confirm the order number and the address it was sent to?",
)
