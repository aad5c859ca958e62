"""Spanish texts of the template library."""

COMMON = {
    "hello_name": "Hola, {name}:",
    "hello": "Hola:",
    "order": "Pedido",
    "placed_on": "del",
    "subtotal": "Subtotal",
    "discount": "Descuento",
    "shipping": "Envío",
    "total": "Total",
    "delivery": "Entrega",
    "promised": "Entrega prevista",
    "carrier": "Transportista",
    "tracking_number": "Número de seguimiento",
    "track": "Seguir mi paquete",
    "change_delivery": "Elegir o cambiar tu hora de entrega",
    "pickup_at": "Recogida en",
    "opening_hours": "Horario",
    "recommendations": "También te puede gustar",
    "stars_label": "¿Cuántas estrellas le darías a tu pedido?",
    "code_label": "Tu código",
    "expires": "Válido hasta el {expires}.",
    "signoff": "Un saludo,<br>el equipo de {store}",
    "footer_transactional": "Recibes este correo porque hiciste un pedido en {store}.",
    "footer_marketing": "Recibes este correo porque aceptaste recibir noticias de {store}.",
    "unsubscribe": "Darse de baja",
    "preferences": "Configuración de correo",
}

TEMPLATES = {
    "order_confirmation": {
        "subject": "Gracias por tu pedido {number}",
        "preheader": "Hemos recibido tu pedido y te avisaremos cuando salga.",
        "heading": "¡Gracias por tu pedido!",
        "intro": "Hemos recibido tu pedido {number} y ya lo estamos preparando.",
    },
    "payment_received": {
        "subject": "Pago recibido del pedido {number}",
        "preheader": "Tu pago ha llegado: estamos preparando tu paquete.",
        "heading": "Hemos recibido tu pago",
        "intro": "Tu pago de {total} del pedido {number} ha llegado. "
        "Ahora estamos preparando tu paquete.",
    },
    "shipped": {
        "subject": "Tu pedido {number} está en camino",
        "preheader": "Tu paquete ha salido de nuestro almacén.",
        "heading": "Tu pedido está en camino",
        "intro": "Buenas noticias: tu pedido {number} ha salido de nuestro almacén.",
    },
    "out_for_delivery": {
        "subject": "Tu pedido {number} llega hoy",
        "preheader": "Tu paquete está en reparto.",
        "heading": "En reparto hoy",
        "intro": "Tu paquete está con el repartidor y debería llegar hoy.",
    },
    "ready_for_pickup": {
        "subject": "Tu pedido {number} está listo para recoger",
        "preheader": "Tu pedido te espera en la tienda.",
        "heading": "Listo para recoger",
        "intro": "Tu pedido {number} te espera en {pickup}.",
        "bring": "Trae tu número de pedido {number} cuando vengas.",
    },
    "delivered": {
        "subject": "Tu pedido {number} ha sido entregado",
        "preheader": "Esperamos que lo disfrutes.",
        "heading": "¡Entregado!",
        "intro": "Tu pedido {number} ha sido entregado. Esperamos que lo disfrutes.",
        "help": "Si algo no está bien, responde a este correo y te ayudaremos.",
    },
    "delivery_delayed": {
        "subject": "Tu pedido {number} se retrasa: lo sentimos",
        "preheader": "Tu paquete está tardando más de lo prometido.",
        "heading": "Sentimos el retraso",
        "intro": "Tu pedido {number} no llegará el {promised} como te prometimos.",
        "intro_nodate": "Tu pedido {number} está tardando más de lo que prometimos.",
        "body": "Estamos haciendo todo lo posible para que te llegue cuanto antes y te "
        "mantendremos informado. Gracias por tu paciencia.",
    },
    "review_request": {
        "subject": "¿Qué te parece tu pedido {number}?",
        "preheader": "Cuéntanoslo con un clic: solo son unos segundos.",
        "heading": "¿Qué tal tu pedido?",
        "intro": "Tu pedido {number} llegó hace poco. ¿Nos cuentas qué te parece? "
        "Solo te llevará un minuto.",
        "cta": "Escribir una opinión",
    },
    "review_reminder": {
        "subject": "¿Un minuto para una opinión rápida?",
        "preheader": "Tu opinión ayuda a otros clientes.",
        "heading": "Tu opinión importa",
        "intro": "Hace unos días te preguntamos qué te pareció tu pedido {number}. Si tienes un "
        "minuto, tu opinión ayuda a otros clientes y a nosotros a mejorar.",
        "cta": "Escribir una opinión",
    },
    "thank_you_coupon": {
        "subject": "Gracias por volver: un regalo para ti",
        "preheader": "Un cupón para tu próximo pedido.",
        "heading": "¡Gracias por repetir!",
        "intro": "Nos alegra mucho que hayas vuelto a comprar en {store}.",
        "coupon_intro": "Aquí tienes un cupón para tu próximo pedido:",
    },
    "referral_invitation": {
        "subject": "Comparte {store} con tus amigos",
        "preheader": "Tus amigos obtienen un descuento con tu enlace personal.",
        "heading": "¡Nos alegra que te haya gustado!",
        "intro": "Gracias por tu estupenda opinión. Invita a tus amigos: con tu enlace personal "
        "obtienen un descuento en su primer pedido.",
        "reward": "Tus amigos reciben {reward}.",
        "cta": "Compartir mi enlace",
    },
    "win_back": {
        "subject": "Te echamos de menos en {store}",
        "preheader": "Un pequeño detalle para darte la bienvenida de nuevo.",
        "heading": "Ha pasado un tiempo",
        "intro": "Hace tiempo que no haces un pedido. Tenemos productos nuevos que creemos "
        "que te gustarán.",
        "coupon_intro": "Vuelve con este código:",
    },
    "order_cancelled": {
        "subject": "Tu pedido {number} ha sido cancelado",
        "preheader": "No se enviará nada de este pedido.",
        "heading": "Tu pedido ha sido cancelado",
        "intro": "Tu pedido {number} ha sido cancelado, así que no se enviará nada.",
        "help": "Si ya has pagado, te devolveremos el importe con tu método de pago original. "
        "¿Tienes preguntas? Responde a este correo.",
    },
    "refund_issued": {
        "subject": "Reembolso de tu pedido {number}",
        "preheader": "Tu dinero ya está de vuelta en camino.",
        "heading": "Hemos enviado tu reembolso",
        "intro": "Hemos emitido un reembolso para tu pedido {number}.",
        "refunded_label": "Total reembolsado",
        "help": "Según tu banco o método de pago, puede tardar unos días en aparecer en tu "
        "cuenta. ¿Tienes preguntas? Responde a este correo.",
    },
}
