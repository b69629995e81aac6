from django.urls import path

from . import transfer_views as views
from .rules import ACCEPT, CANCEL, RECEIPT, REJECT, REQUEST, SEND

urlpatterns = [
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("transfers/add/", views.StartView.as_view(), name="transfer_add"),
    path("transfers/letters/out/", views.LetterOutView.as_view(), name="transfer_letter_out"),
    path("transfers/letters/in/", views.LetterInView.as_view(), name="transfer_letter_in"),
    path("transfers/people/suggest/", views.person_suggest, name="transfer_person_suggest"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/send/", views.move_view(SEND), name="transfer_send"),
    path("transfers/<int:pk>/request/", views.move_view(REQUEST), name="transfer_request"),
    path("transfers/<int:pk>/accept/", views.move_view(ACCEPT), name="transfer_accept"),
    path("transfers/<int:pk>/reject/", views.move_view(REJECT), name="transfer_reject"),
    path("transfers/<int:pk>/cancel/", views.move_view(CANCEL), name="transfer_cancel"),
    path("transfers/<int:pk>/receipt/", views.move_view(RECEIPT), name="transfer_receipt"),
    path("transfers/<int:pk>/reissue/", views.ReissueView.as_view(), name="transfer_reissue"),
    path("transfers/<int:pk>/letter/", views.letter, name="transfer_letter"),
]
