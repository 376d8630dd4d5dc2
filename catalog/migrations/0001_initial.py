"""The catalog's models, moved from `permits` (issue 15) with their tables: created here in
Django's state only (the `permits_*` tables already exist, made by permits 0001), with their
content types moved over."""

import django.core.validators
import django.db.models.deletion
import ptsp.files
from django.db import migrations, models


MOVED_MODELS = ["permittype", "routestep", "requirement", "formfield", "permittypeversion"]


def _move_content_types(apps, schema_editor, *, source, target):
    """The moved models' content types follow them, so that their permissions (held by groups
    and people) and the admin's log entries keep pointing at them. A content type already made
    for the target (e.g. by a post_migrate run between steps) holds nothing yet: it gives way."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED_MODELS:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue
        ContentType.objects.using(db).filter(app_label=target, model=model).delete()
        old.app_label = target
        old.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def content_types_to_catalog(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="permits", target="catalog")


def content_types_to_permits(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="catalog", target="permits")

class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('permits', '0005_staged_permit_file'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('agencies', '0008_region_identity'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only Django's idea of which app owns them changes.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='PermitType',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=20, validators=[django.core.validators.RegexValidator('^[A-Z0-9-]{2,20}$', 'Capital letters, digits and dashes.')], verbose_name='code')),
                        ('name_id', models.CharField(max_length=200, verbose_name='name (Indonesian)')),
                        ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                        ('description_id', models.TextField(blank=True, verbose_name='description (Indonesian)')),
                        ('description_en', models.TextField(blank=True, verbose_name='description (English)')),
                        ('legal_basis', models.TextField(blank=True, verbose_name='legal basis')),
                        ('intake_days', models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1)], verbose_name='intake budget (working days)')),
                        ('issuance_days', models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1)], verbose_name='issuance budget (working days)')),
                        ('fee_amount', models.DecimalField(decimal_places=0, default=0, help_text='0 means free.', max_digits=14, verbose_name='fee (Rp)')),
                        ('fee_note', models.CharField(blank=True, max_length=300, verbose_name='fee note')),
                        ('validity_months', models.PositiveSmallIntegerField(blank=True, help_text='Empty: valid without end.', null=True, verbose_name='validity (months)')),
                        ('number_format', models.CharField(default='503/{seq:04d}/{code}/DPMPTSP/{roman_month}/{year}', help_text='Placeholders: {seq}, {code}, {roman_month}, {month}, {year}, {region}.', max_length=120, verbose_name='permit number format')),
                        ('requires_nib', models.BooleanField(default=True, verbose_name='requires NIB')),
                        ('pdf_language', models.CharField(choices=[('id', 'Indonesia'), ('en', 'English')], default='id', max_length=2, verbose_name='permit language')),
                        ('pdf_template', models.CharField(blank=True, help_text='Empty: the shared template.', max_length=100, verbose_name='PDF template')),
                        ('conditions', models.TextField(blank=True, verbose_name='conditions printed on the permit')),
                        ('steps', models.TextField(blank=True, help_text='One step per line.', verbose_name='procedure steps')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='permit_types', to='agencies.region')),
                    ],
                    options={
                        'verbose_name': 'permit type',
                        'verbose_name_plural': 'permit types',
                        'db_table': 'permits_permittype',
                        'ordering': ['region__name', 'name_id'],
                    },
                ),
                migrations.CreateModel(
                    name='FormField',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=40, validators=[django.core.validators.RegexValidator('^[a-z0-9_]{1,40}$', 'Lower-case letters, digits and underscores only.')], verbose_name='key')),
                        ('label_id', models.CharField(max_length=200, verbose_name='label (Indonesian)')),
                        ('label_en', models.CharField(max_length=200, verbose_name='label (English)')),
                        ('kind', models.CharField(choices=[('text', 'Text'), ('integer', 'Integer'), ('decimal', 'Decimal with unit'), ('date', 'Date'), ('choice', 'Choice'), ('boolean', 'Yes/no')], max_length=10, verbose_name='kind')),
                        ('unit', models.CharField(blank=True, max_length=20, verbose_name='unit')),
                        ('choices', models.JSONField(blank=True, default=list, verbose_name='choices')),
                        ('is_required', models.BooleanField(default=True, verbose_name='required')),
                        ('help_text', models.CharField(blank=True, max_length=250, verbose_name='help text')),
                        ('order', models.PositiveSmallIntegerField(default=0)),
                        ('permit_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fields', to='catalog.permittype')),
                    ],
                    options={
                        'verbose_name': 'form field',
                        'verbose_name_plural': 'form fields',
                        'db_table': 'permits_formfield',
                        'ordering': ['order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='PermitTypeVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveIntegerField()),
                        ('snapshot', models.JSONField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('permit_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='catalog.permittype')),
                    ],
                    options={
                        'verbose_name': 'catalog version',
                        'verbose_name_plural': 'catalog versions',
                        'db_table': 'permits_permittypeversion',
                        'ordering': ['permit_type', '-number'],
                    },
                ),
                migrations.CreateModel(
                    name='Requirement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, validators=[django.core.validators.RegexValidator('^[a-z0-9_]{1,40}$', 'Lower-case letters, digits and underscores only.')], verbose_name='code')),
                        ('name_id', models.CharField(max_length=250, verbose_name='name (Indonesian)')),
                        ('name_en', models.CharField(max_length=250, verbose_name='name (English)')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('is_required', models.BooleanField(default=True, verbose_name='required')),
                        ('accepted_kinds', models.JSONField(default=list, verbose_name='accepted kinds')),
                        ('max_size_kb', models.PositiveIntegerField(default=5120, verbose_name='size limit (KB)')),
                        ('template', models.FileField(blank=True, upload_to=ptsp.files.PrivateUploadTo('templates'), verbose_name='blank template')),
                        ('order', models.PositiveSmallIntegerField(default=0)),
                        ('permit_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requirements', to='catalog.permittype')),
                    ],
                    options={
                        'verbose_name': 'requirement',
                        'verbose_name_plural': 'requirements',
                        'db_table': 'permits_requirement',
                        'ordering': ['order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='RouteStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('review_days', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='review budget (working days)')),
                        ('order', models.PositiveSmallIntegerField(default=0)),
                        ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
                        ('permit_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='route', to='catalog.permittype')),
                    ],
                    options={
                        'verbose_name': 'route step',
                        'verbose_name_plural': 'route',
                        'db_table': 'permits_routestep',
                        'ordering': ['order', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='permittype',
                    constraint=models.UniqueConstraint(fields=('region', 'code'), name='permit_code_unique_in_region'),
                ),
                migrations.AddConstraint(
                    model_name='formfield',
                    constraint=models.UniqueConstraint(fields=('permit_type', 'key'), name='form_field_key_once'),
                ),
                migrations.AddConstraint(
                    model_name='permittypeversion',
                    constraint=models.UniqueConstraint(fields=('permit_type', 'number'), name='version_number_once'),
                ),
                migrations.AddConstraint(
                    model_name='requirement',
                    constraint=models.UniqueConstraint(fields=('permit_type', 'code'), name='requirement_code_once'),
                ),
                migrations.AddConstraint(
                    model_name='routestep',
                    constraint=models.UniqueConstraint(fields=('permit_type', 'agency'), name='route_agency_once'),
                ),
            ],
        ),
        migrations.RunPython(content_types_to_catalog, content_types_to_permits),
    ]
