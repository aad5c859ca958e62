"""English texts of the template library."""

COMMON = {
    "hello_name": "Hi {name},",
    "hello": "Hello,",
    "order": "Order",
    "placed_on": "placed on",
    "subtotal": "Subtotal",
    "discount": "Discount",
    "shipping": "Shipping",
    "total": "Total",
    "delivery": "Delivery",
    "promised": "Expected delivery",
    "carrier": "Carrier",
    "tracking_number": "Tracking number",
    "track": "Track your parcel",
    "change_delivery": "Choose or change your delivery time",
    "pickup_at": "Pick up at",
    "opening_hours": "Opening hours",
    "recommendations": "You might also like",
    "stars_label": "How many stars would you give your order?",
    "code_label": "Your code",
    "expires": "Valid until {expires}.",
    "signoff": "Best regards,<br>the {store} team",
    "footer_transactional": "You receive this email because you placed an order at {store}.",
    "footer_marketing": "You receive this email because you agreed to hear from {store}.",
    "unsubscribe": "Unsubscribe",
    "preferences": "Email settings",
}

TEMPLATES = {
    "order_confirmation": {
        "subject": "Thank you for your order {number}",
        "preheader": "We have received your order and will tell you when it ships.",
        "heading": "Thank you for your order!",
        "intro": "We have received your order {number} and are getting it ready.",
    },
    "payment_received": {
        "subject": "Payment received for order {number}",
        "preheader": "Your payment has arrived: we are preparing your parcel.",
        "heading": "We have received your payment",
        "intro": "Your payment of {total} for order {number} has arrived. "
        "We are now preparing your parcel.",
    },
    "shipped": {
        "subject": "Your order {number} is on its way",
        "preheader": "Your parcel has left our warehouse.",
        "heading": "Your order is on its way",
        "intro": "Good news: your order {number} has left our warehouse.",
    },
    "out_for_delivery": {
        "subject": "Your order {number} arrives today",
        "preheader": "Your parcel is with the driver.",
        "heading": "Out for delivery today",
        "intro": "Your parcel is with the driver and should arrive today.",
    },
    "ready_for_pickup": {
        "subject": "Your order {number} is ready for pickup",
        "preheader": "Your order is waiting for you in the store.",
        "heading": "Ready for pickup",
        "intro": "Your order {number} is waiting for you at {pickup}.",
        "bring": "Please bring your order number {number} when you come.",
    },
    "delivered": {
        "subject": "Your order {number} has been delivered",
        "preheader": "We hope you enjoy it.",
        "heading": "Delivered!",
        "intro": "Your order {number} has been delivered. We hope you enjoy it.",
        "help": "If anything is not right, simply reply to this email and we will help.",
    },
    "delivery_delayed": {
        "subject": "Your order {number} is delayed: we are sorry",
        "preheader": "Your parcel is taking longer than we promised.",
        "heading": "We are sorry for the delay",
        "intro": "Your order {number} will not arrive by {promised} as we promised.",
        "intro_nodate": "Your order {number} is taking longer than we promised.",
        "body": "We are doing everything we can to get it to you as soon as possible and will "
        "keep you informed. Thank you for your patience.",
    },
    "review_request": {
        "subject": "How do you like your order {number}?",
        "preheader": "Tell us in one click: it takes a few seconds.",
        "heading": "How was your order?",
        "intro": "Your order {number} arrived recently. Would you tell us how you like it? "
        "It only takes a minute.",
        "cta": "Write a review",
    },
    "review_reminder": {
        "subject": "A minute for a quick review?",
        "preheader": "Your opinion helps other customers.",
        "heading": "Your opinion matters",
        "intro": "A few days ago we asked how you liked your order {number}. If you have a "
        "minute, your review helps other customers and helps us improve.",
        "cta": "Write a review",
    },
    "thank_you_coupon": {
        "subject": "Thank you for coming back: a gift for you",
        "preheader": "A coupon for your next order.",
        "heading": "Thank you for ordering again!",
        "intro": "It means a lot to us that you shopped with {store} again.",
        "coupon_intro": "Here is a coupon for your next order:",
    },
    "referral_invitation": {
        "subject": "Share {store} with your friends",
        "preheader": "Your friends get a discount with your personal link.",
        "heading": "Glad you liked it!",
        "intro": "Thank you for your great review. Invite your friends: with your personal "
        "link they get a discount on their first order.",
        "reward": "Your friends get {reward}.",
        "cta": "Share your link",
    },
    "win_back": {
        "subject": "We miss you at {store}",
        "preheader": "A little something to welcome you back.",
        "heading": "It has been a while",
        "intro": "It has been some time since your last order. We have new products we think "
        "you will like.",
        "coupon_intro": "Come back with this code:",
    },
    "order_cancelled": {
        "subject": "Your order {number} has been cancelled",
        "preheader": "Nothing will be shipped for this order.",
        "heading": "Your order has been cancelled",
        "intro": "Your order {number} has been cancelled, so nothing will be shipped.",
        "help": "If you have already paid, the money goes back to your original payment "
        "method. Questions? Simply reply to this email.",
    },
    "refund_issued": {
        "subject": "Refund for your order {number}",
        "preheader": "Your money is on its way back.",
        "heading": "We have sent your refund",
        "intro": "We have issued a refund for your order {number}.",
        "refunded_label": "Refunded in total",
        "help": "Depending on your bank or payment method, it can take a few days to appear "
        "on your account. Questions? Simply reply to this email.",
    },
}
