"""Booking's command line: `python -m services.booking.cli COMMAND`.

seed-demo     create a few realistic demo cabins (skips those that exist)
expire-now    expire the holds whose time ran out, now
stats         reservations by status, and what is coming up
admin-token   print an admin JWT signed with JWT_SECRET
"""

import argparse
import asyncio
import sys
import time
from datetime import date
from pathlib import Path

import asyncpg
import jwt

from services.booking import holds, store
from services.common.db import create_pool, migrate
from services.common.settings import get_settings

# name, first night and first night after (MM-DD), price multiplier (%), minimum nights
_SEASONS = (
    ("Temporada alta", "01-01", "03-01", 150, 3),
    ("Semana Santa", "03-26", "04-06", 130, 2),
    ("Vacaciones de invierno", "07-10", "08-01", 130, 3),
)


def _seasons(year: int) -> list[dict[str, object]]:
    """High season in January-February, Easter week, winter holidays (July)."""
    return [
        {
            "name": name,
            "start": f"{year}-{start}",
            "end": f"{year}-{end}",
            "multiplier_percent": percent,
            "min_nights": min_nights,
        }
        for name, start, end, percent, min_nights in _SEASONS
    ]


# What the owner of the demo cabins answers every guest alike (GuestInfo in booking.proto).
_HOUSE_ANSWERS = {
    "linen": "Sí, hay sábanas y toallas para todos; traé solo la toalla de pileta si vas a usarla.",
    "children": "Los chicos son bienvenidos. Tenemos cuna y silla de comer: pedilas al reservar. "
    "Los bebés de menos de 2 años no cuentan como huéspedes.",
    "house_rules": "No se fuma adentro. Silencio de 23 a 8. Las visitas, con aviso. "
    "Al irse, dejen la vajilla lavada y la basura en el contenedor de la entrada.",
    "cancellation_policy": "Cancelando hasta 15 días antes del check-in te devolvemos la seña completa; "
    "después de eso la seña no se devuelve, pero podés cambiar la fecha una vez si hay lugar.",
    "payment_methods": "La seña se paga con Mercado Pago, con el link que te mando al reservar. "
    "El resto, al llegar: transferencia o efectivo.",
}


def demo_cabins(today: date) -> list[dict[str, object]]:
    seasons = _seasons(today.year) + _seasons(today.year + 1)
    common = {
        "seasons": seasons,
        "weekend_multiplier_percent": 120,
        "min_nights": 2,
        "deposit_percent": 30,
        "check_in_time": "14:00",
        "check_out_time": "10:00",
    }
    return [
        {
            "slug": "cabana-del-lago",
            "name": "Cabaña del Lago",
            "capacity": 4,
            "base_price_minor": 85_000_00,
            "description": "Frente al lago, dos dormitorios, deck con vista y muelle propio.",
            "amenities": ["wifi", "parrilla", "calefacción a leña", "cochera", "ropa de cama"],
            "location": {
                "address": "Av. Arrayanes 1200",
                "city": "Villa La Angostura",
                "province": "Neuquén",
                "latitude": -40.7649,
                "longitude": -71.6467,
                "maps_url": "https://maps.google.com/?q=-40.7649,-71.6467",
            },
            "guest_info": {
                **_HOUSE_ANSWERS,
                "pets": "Se aceptan mascotas chicas, con aviso. Que no suban a las camas, por favor.",
                "wifi": "Sí, wifi de fibra en toda la casa. La clave está en la heladera.",
                "parking": "Cochera techada para un auto, y lugar para otro adelante.",
                "grill": "Sí, parrilla en el deck. La primera bolsa de leña corre por nuestra cuenta.",
                "heating": "Salamandra a leña y calefactores en los dormitorios. No hay aire acondicionado.",
                "pool": "No tiene pileta, pero tenés el lago a 20 metros con muelle propio.",
                "directions": "Por la ruta 231, al llegar a Villa La Angostura doblá por Av. Arrayanes hacia el "
                "lago; es la casa de madera con el portón verde.",
                "distance_to_town": "El centro queda a 3 km, unos 5 minutos en auto; hay colectivo en la esquina.",
            },
            **common,
        },
        {
            "slug": "cabana-del-bosque",
            "name": "Cabaña del Bosque",
            "capacity": 2,
            "base_price_minor": 70_000_00,
            "description": "Para dos, entre coihues, con hogar y jacuzzi.",
            "amenities": ["wifi", "hogar", "jacuzzi", "desayuno"],
            "location": {
                "address": "Los Notros 45",
                "city": "Villa La Angostura",
                "province": "Neuquén",
                "latitude": -40.7593,
                "longitude": -71.6601,
                "maps_url": "https://maps.google.com/?q=-40.7593,-71.6601",
            },
            "guest_info": {
                **_HOUSE_ANSWERS,
                "pets": "Perdón, en esta cabaña no se aceptan mascotas.",
                "wifi": "Sí, hay wifi; anda bien para videollamadas.",
                "parking": "Lugar para un auto al lado de la cabaña, descubierto.",
                "grill": "No tiene parrilla propia; hay un fogón compartido en el parque.",
                "heating": "Hogar a leña y losa radiante. No hay aire acondicionado.",
                "pool": "No tiene pileta; el jacuzzi es climatizado y se usa todo el año.",
                "children": "Es una cabaña para dos adultos, no tenemos lugar para chicos.",
                "directions": "Entrando a Villa La Angostura por la ruta 40, doblá en Los Notros; "
                "son 400 metros de ripio hasta el cartel de la cabaña.",
                "distance_to_town": "El centro está a 2 km, 5 minutos en auto o 25 caminando.",
            },
            **common,
        },
        {
            "slug": "casa-de-la-montana",
            "name": "Casa de la Montaña",
            "capacity": 6,
            "base_price_minor": 120_000_00,
            "description": "Tres dormitorios al pie del cerro, quincho y pileta climatizada.",
            "amenities": ["wifi", "pileta climatizada", "quincho", "parrilla", "lavarropas"],
            "location": {
                "address": "Ruta 40 km 2050",
                "city": "San Carlos de Bariloche",
                "province": "Río Negro",
                "latitude": -41.2214,
                "longitude": -71.3632,
                "maps_url": "https://maps.google.com/?q=-41.2214,-71.3632",
            },
            "guest_info": {
                **_HOUSE_ANSWERS,
                "pets": "Se aceptan mascotas, con aviso; el parque está cercado.",
                "wifi": "Sí, wifi de fibra en toda la casa y en el quincho.",
                "parking": "Entran tres autos adentro del terreno, con portón.",
                "grill": "Sí, parrilla y horno de barro en el quincho; la leña la conseguís en la ruta.",
                "heating": "Calefacción central y aire acondicionado frío/calor en los tres dormitorios.",
                "pool": "Sí, pileta climatizada, abierta de noviembre a abril.",
                "directions": "Desde Bariloche, tomá la ruta 40 hacia el sur; en el km 2050 está el cartel "
                "de la casa a mano derecha.",
                "distance_to_town": "El centro de Bariloche queda a 15 km, unos 20 minutos en auto.",
            },
            **common,
        },
    ]


async def _pool() -> asyncpg.Pool:
    pool = await create_pool(get_settings().database_url, "booking", max_size=2)
    async with pool.acquire() as conn:
        await migrate(conn, "booking", Path(__file__).parent / "migrations")
    return pool


async def seed_demo() -> None:
    pool = await _pool()
    async with pool.acquire() as conn:
        for cabin in demo_cabins(date.today()):
            if await store.get_accommodation(conn, slug=str(cabin["slug"])):
                print(f"exists   {cabin['name']}")
            else:
                row = await store.insert_accommodation(conn, cabin)
                print(f"created  {row['name']} (id {row['id']})")
    await pool.close()


async def expire_now() -> None:
    pool = await _pool()
    expired = []
    while batch := await holds.expire_due(pool):
        expired += batch
    print(f"expired {len(expired)} hold(s)" + (": " + ", ".join(expired) if expired else ""))
    await pool.close()


async def stats() -> None:
    pool = await _pool()
    async with pool.acquire() as conn:
        by_status = await conn.fetch("SELECT status, count(*) AS n FROM reservations GROUP BY status ORDER BY status")
        upcoming = await conn.fetchval(
            "SELECT count(*) FROM reservations WHERE status = 'confirmed' AND check_in BETWEEN current_date AND current_date + 7"
        )
        cabins = await conn.fetchval("SELECT count(*) FROM accommodations WHERE active")
    await pool.close()
    print(f"active cabins: {cabins}")
    for row in by_status:
        print(f"{row['status']:<13} {row['n']}")
    print(f"confirmed check-ins in the next 7 days: {upcoming}")


def admin_token(subject: str, hours: float) -> None:
    secret = get_settings().jwt_secret
    if secret is None:
        sys.exit("JWT_SECRET is not set")
    claims = {"sub": subject, "role": "admin", "exp": int(time.time() + hours * 3600)}
    print(jwt.encode(claims, secret.get_secret_value(), algorithm="HS256"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.booking.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seed-demo", help="create demo cabins")
    commands.add_parser("expire-now", help="expire run-out holds now")
    commands.add_parser("stats", help="reservations by status")
    token = commands.add_parser("admin-token", help="print an admin JWT")
    token.add_argument("--sub", default="admin", help="the token's subject (who)")
    token.add_argument("--hours", type=float, default=12, help="validity")
    args = parser.parse_args(argv)
    if args.command == "admin-token":
        admin_token(args.sub, args.hours)
        return
    asyncio.run({"seed-demo": seed_demo, "expire-now": expire_now, "stats": stats}[args.command]())


if __name__ == "__main__":
    main()
