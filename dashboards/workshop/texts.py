"""The workshop screens' words, in English and French.

The language is the server's (``socbiz workshop --lang fr``, or the workshop file's ``lang``).
English strings are the keys; a string missing from the French table is shown in English.
"""

from __future__ import annotations

import os

FR = {
    "Join the workshop": "Rejoindre l'atelier",
    "Room code": "Code de la salle",
    "Team name": "Nom de l'équipe",
    "Join": "Rejoindre",
    "Team": "Équipe",
    "brand": "marque",
    "Round": "Manche",
    "of": "sur",
    "open": "ouverte",
    "locked": "verrouillée",
    "simulated": "simulée",
    "released": "publiée",
    "finished": "terminé",
    "Paused by the facilitator": "En pause (animateur)",
    "Your decisions for this round": "Vos décisions pour cette manche",
    "Posts per day": "Publications par jour",
    "Content mix": "Mix de contenus",
    "Push share": "Part de push",
    "Customer-service hours hired per day": "Heures de service client recrutées par jour",
    "Departments trained this round": "Services formés cette manche",
    "Training coverage": "Part du personnel formé",
    "Listening coverage": "Couverture de l'écoute",
    "Social CRM integration": "Intégration CRM social",
    "Agency": "Agence",
    "Executive sponsorship": "Sponsoring de la direction",
    "Submit decisions": "Envoyer les décisions",
    "Saved": "Enregistré",
    "revision": "version",
    "Refused": "Refusé",
    "Budget used": "Budget utilisé",
    "Your brand": "Votre marque",
    "Followers": "Abonnés",
    "Engagements this round": "Engagements cette manche",
    "Net sentiment": "Sentiment net",
    "Maturity": "Maturité",
    "Phase": "Phase",
    "Score": "Score",
    "Rank": "Rang",
    "Event log": "Journal des événements",
    "The market (public indicators)": "Le marché (indicateurs publics)",
    "Crises in the news": "Crises dans la presse",
    "Leaderboard": "Classement",
    "Messages": "Messages",
    "No results yet: the first round has not been released.":
        "Pas encore de résultats : la première manche n'est pas publiée.",
    "Facilitator console": "Console de l'animateur",
    "Access refused: this page needs the facilitator's link.":
        "Accès refusé : cette page demande le lien de l'animateur.",
    "Unknown team link: join again with the room code.":
        "Lien d'équipe inconnu : rejoignez avec le code de la salle.",
    "Participants join at": "Les participants rejoignent sur",
    "Teams": "Équipes",
    "submitted": "envoyé",
    "waiting": "en attente",
    "Lock": "Verrouiller",
    "Unlock": "Déverrouiller",
    "Simulate": "Simuler",
    "Release results": "Publier les résultats",
    "Undo last round": "Annuler la dernière manche",
    "Pause": "Pause",
    "Resume": "Reprendre",
    "Remove": "Retirer",
    "Move to": "Déplacer vers",
    "Incident": "Incident",
    "Add incident": "Ajouter l'incident",
    "Broadcast": "Diffuser",
    "Message to every team": "Message à toutes les équipes",
    "Send": "Envoyer",
    "Projector view": "Vue projecteur",
    "Debrief pack": "Dossier de débriefing",
    "Counterfactual": "Contrefactuel",
    "Key events of the round": "Événements clés de la manche",
    "Round simulated in": "Manche simulée en",
    "autopilot": "pilote automatique",
    "Kind": "Type",
    "Target": "Cible",
    "Cause": "Cause",
    "Factor": "Facteur",
    "Day of the round": "Jour de la manche",
    "all brands": "toutes les marques",
    "none": "aucune",
    "Download the debrief pack": "Télécharger le dossier de débriefing",
    "What happened": "Ce qui s'est passé",
    "Change": "Changement",
    "team": "équipe",
}


def language() -> str:
    return os.environ.get("SOCBIZ_WORKSHOP_LANG", "en")


def t(text: str) -> str:
    """The screen text in the server's language."""
    if language() == "fr":
        return FR.get(text, text)
    return text
