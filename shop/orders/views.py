from django.http import Http404


def checkout(request):
    raise Http404


def order_detail(request, number):
    raise Http404


def pay(request, number):
    raise Http404


def order_list(request):
    raise Http404
