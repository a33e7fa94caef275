--
-- PostgreSQL database dump
--

\restrict lGC4V2FnQYkrohkoxPvBT7xv176aPoGpeh0a75f9hfsbE8SXxggDeoJh1qJYuhN

-- Dumped from database version 17.12 (Debian 17.12-0+deb13u1)
-- Dumped by pg_dump version 17.12 (Debian 17.12-0+deb13u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: sentry_option; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sentry_option (
    id bigint NOT NULL,
    key character varying(64) NOT NULL,
    value text NOT NULL
);


--
-- Name: TABLE sentry_option; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.sentry_option IS 'Sentry''s options';


--
-- Name: sentry_option_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.sentry_option_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: sentry_option_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.sentry_option_id_seq OWNED BY public.sentry_option.id;


--
-- Name: sentry_option id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sentry_option ALTER COLUMN id SET DEFAULT nextval('public.sentry_option_id_seq'::regclass);


--
-- Data for Name: sentry_option; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.sentry_option (id, key, value) FROM stdin;
1	system.url-prefix	"https://sentry.example.com"
2	sentry:version-configured	"9.1.2"
\.


--
-- Name: sentry_option_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.sentry_option_id_seq', 2, true);


--
-- Name: sentry_option sentry_option_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sentry_option
    ADD CONSTRAINT sentry_option_key_key UNIQUE (key);


--
-- Name: sentry_option sentry_option_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sentry_option
    ADD CONSTRAINT sentry_option_pkey PRIMARY KEY (id);


--
-- PostgreSQL database dump complete
--

\unrestrict lGC4V2FnQYkrohkoxPvBT7xv176aPoGpeh0a75f9hfsbE8SXxggDeoJh1qJYuhN
