"""French texts of the template library."""

COMMON = {
    "hello_name": "Bonjour {name},",
    "hello": "Bonjour,",
    "order": "Commande",
    "placed_on": "du",
    "subtotal": "Sous-total",
    "discount": "Remise",
    "shipping": "Livraison",
    "total": "Total",
    "delivery": "Livraison",
    "promised": "Livraison prévue",
    "carrier": "Transporteur",
    "tracking_number": "Numéro de suivi",
    "track": "Suivre mon colis",
    "change_delivery": "Choisir ou modifier votre créneau de livraison",
    "pickup_at": "Retrait à",
    "opening_hours": "Horaires d'ouverture",
    "recommendations": "Vous aimerez peut-être aussi",
    "stars_label": "Combien d'étoiles donneriez-vous à votre commande ?",
    "code_label": "Votre code",
    "expires": "Valable jusqu'au {expires}.",
    "signoff": "Bien cordialement,<br>l'équipe {store}",
    "footer_transactional": "Vous recevez cet e-mail parce que vous avez passé commande "
    "chez {store}.",
    "footer_marketing": "Vous recevez cet e-mail parce que vous avez accepté de recevoir "
    "des nouvelles de {store}.",
    "unsubscribe": "Se désabonner",
    "preferences": "Paramètres e-mail",
}

TEMPLATES = {
    "order_confirmation": {
        "subject": "Merci pour votre commande {number}",
        "preheader": "Nous avons bien reçu votre commande et vous préviendrons de son expédition.",
        "heading": "Merci pour votre commande !",
        "intro": "Nous avons bien reçu votre commande {number} et la préparons.",
    },
    "payment_received": {
        "subject": "Paiement reçu pour la commande {number}",
        "preheader": "Votre paiement est arrivé : nous préparons votre colis.",
        "heading": "Nous avons reçu votre paiement",
        "intro": "Votre paiement de {total} pour la commande {number} est bien arrivé. "
        "Nous préparons maintenant votre colis.",
    },
    "shipped": {
        "subject": "Votre commande {number} est en route",
        "preheader": "Votre colis a quitté notre entrepôt.",
        "heading": "Votre commande est en route",
        "intro": "Bonne nouvelle : votre commande {number} a quitté notre entrepôt.",
    },
    "out_for_delivery": {
        "subject": "Votre commande {number} arrive aujourd'hui",
        "preheader": "Votre colis est chez le livreur.",
        "heading": "En cours de livraison aujourd'hui",
        "intro": "Votre colis est entre les mains du livreur et devrait arriver aujourd'hui.",
    },
    "ready_for_pickup": {
        "subject": "Votre commande {number} est prête à être retirée",
        "preheader": "Votre commande vous attend en magasin.",
        "heading": "Prête à être retirée",
        "intro": "Votre commande {number} vous attend à {pickup}.",
        "bring": "Pensez à vous munir de votre numéro de commande {number}.",
    },
    "delivered": {
        "subject": "Votre commande {number} a été livrée",
        "preheader": "Nous espérons qu'elle vous plaira.",
        "heading": "Livrée !",
        "intro": "Votre commande {number} a été livrée. Nous espérons qu'elle vous plaira.",
        "help": "Si quelque chose ne va pas, répondez simplement à cet e-mail : "
        "nous vous aiderons.",
    },
    "delivery_delayed": {
        "subject": "Votre commande {number} a du retard : nous sommes désolés",
        "preheader": "Votre colis prend plus de temps que prévu.",
        "heading": "Toutes nos excuses pour ce retard",
        "intro": "Votre commande {number} n'arrivera pas le {promised} comme promis.",
        "intro_nodate": "Votre commande {number} prend plus de temps que promis.",
        "body": "Nous faisons tout notre possible pour vous la livrer au plus vite et vous "
        "tiendrons informé. Merci de votre patience.",
    },
    "review_request": {
        "subject": "Votre commande {number} vous plaît-elle ?",
        "preheader": "Dites-le-nous en un clic : cela ne prend que quelques secondes.",
        "heading": "Comment s'est passée votre commande ?",
        "intro": "Votre commande {number} est arrivée récemment. Nous diriez-vous ce que vous "
        "en pensez ? Cela ne prend qu'une minute.",
        "cta": "Laisser un avis",
    },
    "review_reminder": {
        "subject": "Une minute pour un petit avis ?",
        "preheader": "Votre avis aide les autres clients.",
        "heading": "Votre avis compte",
        "intro": "Il y a quelques jours, nous vous demandions votre avis sur la commande "
        "{number}. Si vous avez une minute, il aidera d'autres clients et nous aidera à "
        "progresser.",
        "cta": "Laisser un avis",
    },
    "thank_you_coupon": {
        "subject": "Merci de votre fidélité : un cadeau pour vous",
        "preheader": "Un bon de réduction pour votre prochaine commande.",
        "heading": "Merci pour cette nouvelle commande !",
        "intro": "Nous sommes ravis que vous ayez de nouveau choisi {store}.",
        "coupon_intro": "Voici un bon de réduction pour votre prochaine commande :",
    },
    "referral_invitation": {
        "subject": "Faites découvrir {store} à vos amis",
        "preheader": "Vos amis profitent d'une remise grâce à votre lien personnel.",
        "heading": "Ravis que cela vous ait plu !",
        "intro": "Merci pour votre excellent avis. Invitez vos amis : grâce à votre lien "
        "personnel, ils bénéficient d'une remise sur leur première commande.",
        "reward": "Vos amis reçoivent {reward}.",
        "cta": "Partager mon lien",
    },
    "win_back": {
        "subject": "Vous nous manquez chez {store}",
        "preheader": "Une petite attention pour votre retour.",
        "heading": "Cela fait un moment",
        "intro": "Votre dernière commande remonte à quelque temps. Nous avons de nouveaux "
        "produits qui pourraient vous plaire.",
        "coupon_intro": "Revenez avec ce code :",
    },
    "order_cancelled": {
        "subject": "Votre commande {number} a été annulée",
        "preheader": "Rien ne sera expédié pour cette commande.",
        "heading": "Votre commande a été annulée",
        "intro": "Votre commande {number} a été annulée : rien ne sera expédié.",
        "help": "Si vous avez déjà payé, le montant sera remboursé sur votre moyen de "
        "paiement d'origine. Des questions ? Répondez simplement à cet e-mail.",
    },
    "refund_issued": {
        "subject": "Remboursement de votre commande {number}",
        "preheader": "Votre argent est en route.",
        "heading": "Nous avons effectué votre remboursement",
        "intro": "Nous avons effectué un remboursement pour votre commande {number}.",
        "refunded_label": "Total remboursé",
        "help": "Selon votre banque ou votre moyen de paiement, il peut falloir quelques jours "
        "avant qu'il apparaisse sur votre compte. Des questions ? Répondez simplement à cet "
        "e-mail.",
    },
}
