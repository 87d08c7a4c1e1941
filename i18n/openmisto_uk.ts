<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="uk_UA" sourcelanguage="en">
<context>
    <name>OpenMisto</name>
    <message>
        <location filename="../openmisto_plugin/core/atlas/build.py"/>
        <source>Monthly report {period}</source>
        <translation>Щомісячний звіт {period}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/columns.py"/>
        <source>Figure</source>
        <translation>Показник</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/columns.py"/>
        <location filename="../openmisto_plugin/core/export.py"/>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Period</source>
        <translation>Період</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/columns.py"/>
        <source>Previous</source>
        <translation>Попередній</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/columns.py"/>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Change</source>
        <translation>Зміна</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/columns.py"/>
        <source>Citizen's text</source>
        <translation>Текст заявника</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/columns.py"/>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <source>No.</source>
        <translation>№</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/columns.py"/>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Category</source>
        <translation>Категорія</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/columns.py"/>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Address</source>
        <translation>Адреса</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/columns.py"/>
        <source>Working days late</source>
        <translation>Робочих днів прострочення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/data.py"/>
        <source>Responsible officer: {name}</source>
        <translation>Відповідальна особа: {name}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <source>pp</source>
        <translation>п. п.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Received</source>
        <translation>Надійшло</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Accepted</source>
        <translation>Прийнято</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Rejected</source>
        <translation>Відхилено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Assigned</source>
        <translation>Передано виконавцю</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <location filename="../openmisto_plugin/core/statuses.py"/>
        <source>Resolved</source>
        <translation>Вирішено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <location filename="../openmisto_plugin/core/statuses.py"/>
        <source>Not resolved</source>
        <translation>Не вирішено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Still open</source>
        <translation>Ще відкриті</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Overdue</source>
        <translation>Прострочено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Resolved in time</source>
        <translation>Вирішено вчасно</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Resolved in time, %</source>
        <translation>Вирішено вчасно, %</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>First response, median (working days)</source>
        <translation>Перша відповідь, медіана (робочі дні)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>First response, 90th percentile (working days)</source>
        <translation>Перша відповідь, 90-й процентиль (робочі дні)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Closing, median (working days)</source>
        <translation>Закриття, медіана (робочі дні)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Closing, 90th percentile (working days)</source>
        <translation>Закриття, 90-й процентиль (робочі дні)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Department</source>
        <translation>Виконавчий орган</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>District</source>
        <translation>Район</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Not assigned</source>
        <translation>Не призначено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>No district</source>
        <translation>Без району</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/lang.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Other</source>
        <translation>Інше</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Overdue (deadline passed)</source>
        <translation>Прострочено (строк минув)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>{n} and more</source>
        <translation>{n} і більше</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>Reports {period}</source>
        <translation>Звернення {period}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>Reports per {size} m cell {period}</source>
        <translation>Звернення на клітинку {size} м {period}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>Heat map {period}</source>
        <translation>Теплова мапа {period}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>Atlas pages {period}</source>
        <translation>Сторінки атласу {period}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>Figures {period}</source>
        <translation>Показники {period}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>Overdue reports {period}</source>
        <translation>Прострочені звернення {period}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Districts</source>
        <translation>Райони</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>Overdue reports: {n}</source>
        <translation>Прострочених звернень: {n}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>(the {n} longest overdue)</source>
        <translation>({n} найдовше прострочених)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>— continued, {a}–{b}</source>
        <translation>— продовження, {a}–{b}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layers.py"/>
        <source>{name} (continued)</source>
        <translation>{name} (продовження)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Citizen reports: monthly report of the working group</source>
        <translation>Звернення громадян: щомісячний звіт робочої групи</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Pokrov city council · period: {period} · compared with: {previous}</source>
        <translation>Покровська міська рада · період: {period} · порівняно з: {previous}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Public version</source>
        <translation>Публічна версія</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>For internal use</source>
        <translation>Для службового користування</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Period: {period}</source>
        <translation>Період: {period}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Made: {date}</source>
        <translation>Складено: {date}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Page %1 of %2</source>
        <translation>Сторінка %1 з %2</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Reports per {size} m cell</source>
        <translation>Звернення на клітинку {size} м</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Reports by status</source>
        <translation>Звернення за статусами</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Where problems concentrate (heat map)</source>
        <translation>Де зосереджені проблеми (теплова мапа)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Key figures</source>
        <translation>Основні показники</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Reports of the period and still open</source>
        <translation>Звернення за період і ще відкриті</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Monthly report {period}: cover</source>
        <translation>Щомісячний звіт {period}: обкладинка</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/atlas/layout.py"/>
        <source>Monthly report {period}: atlas</source>
        <translation>Щомісячний звіт {period}: атлас</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/autoassign.py"/>
        <source>Unassigned accepted reports: {n}; assigned: {a}; no matching rule: {r}; skipped: {s}.</source>
        <translation>Прийнятих нерозподілених звернень: {n}; передано: {a}; без відповідного правила: {r}; пропущено: {s}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/autoassign.py"/>
        <source>By department: {parts}.</source>
        <translation>За виконавчими органами: {parts}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/autoassign.py"/>
        <source>Trial run: nothing was changed.</source>
        <translation>Пробний запуск: нічого не змінено.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/autoassign.py"/>
        <source>unknown department «{code}»</source>
        <translation>невідомий виконавчий орган «{code}»</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/basemap.py"/>
        <source>OpenStreetMap (basemap)</source>
        <translation>OpenStreetMap (підложка)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>Procedure file {file}: {problem}</source>
        <translation>Файл Порядку {file}: {problem}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>Procedure file {file}, line {line}: {problem}</source>
        <translation>Файл Порядку {file}, рядок {line}: {problem}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>cannot be read ({reason})</source>
        <translation>не вдається прочитати ({reason})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>the file is not UTF-8 text</source>
        <translation>файл не є текстом у кодуванні UTF-8</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>a section name must be closed by «]»</source>
        <translation>назва розділу має закінчуватися «]»</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>the section [category:…] needs a category code after the colon</source>
        <translation>розділ [category:…] потребує коду категорії після двокрапки</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>unknown section [{section}]; expected [general], [defaults] or [category:&lt;code&gt;]</source>
        <translation>невідомий розділ [{section}]; очікується [general], [defaults] або [category:&lt;код&gt;]</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>the section [{section}] appears twice</source>
        <translation>розділ [{section}] трапляється двічі</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>expected «key = value», found «{text}»</source>
        <translation>очікується «ключ = значення», знайдено «{text}»</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>the key «{key}» comes before any [section]</source>
        <translation>ключ «{key}» стоїть перед будь-яким [розділом]</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>unknown key «{key}» in [{section}]; expected one of: {keys}</source>
        <translation>невідомий ключ «{key}» у [{section}]; очікується один із: {keys}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>the key «{key}» appears twice in [{section}]</source>
        <translation>ключ «{key}» трапляється двічі в [{section}]</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>the key «{key}» has no value</source>
        <translation>ключ «{key}» не має значення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>the value of «{key}» is not a whole number of days: «{value}»</source>
        <translation>значення «{key}» не є цілою кількістю днів: «{value}»</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>the value of «{key}» must not be negative: {value}</source>
        <translation>значення «{key}» не може бути від’ємним: {value}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>the value of «{key}» is not a time HH:MM (e.g. 18:00): «{value}»</source>
        <translation>значення «{key}» не є часом ГГ:ХХ (наприклад, 18:00): «{value}»</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <location filename="../openmisto_plugin/gui/dock_pages.py"/>
        <source>Moderation</source>
        <translation>Модерація</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>Department's answer</source>
        <translation>Відповідь виконавчого органу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Planned date</source>
        <translation>Запланована дата</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <source>Closed</source>
        <translation>Закрито</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/deadlines.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Unknown status</source>
        <translation>Невідомий статус</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/export.py"/>
        <source>Grouping</source>
        <translation>Групування</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/export.py"/>
        <source>Group</source>
        <translation>Група</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/export.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Code</source>
        <translation>Код</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/export.py"/>
        <source>Previous period</source>
        <translation>Попередній період</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/export.py"/>
        <source>Change: {figure}</source>
        <translation>Зміна: {figure}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/filters/evaluation.py"/>
        <source>Cannot open the reports of the workspace {path}</source>
        <translation>Не вдається відкрити звернення робочого простору {path}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/filters/evaluation.py"/>
        <location filename="../openmisto_plugin/core/filters/spatial.py"/>
        <source>The filter is not valid SQL for the workspace: {sql}</source>
        <translation>Фільтр не є коректним SQL для робочого простору: {sql}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/filters/model.py"/>
        <source>The saved filter was made by a newer version of the plugin.</source>
        <translation>Збережений фільтр створено новішою версією модуля.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/filters/saved.py"/>
        <source>A saved filter needs a name.</source>
        <translation>Збережений фільтр повинен мати назву.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/filters/spatial.py"/>
        <source>Unknown coordinate reference system: {crs}</source>
        <translation>Невідома система координат: {crs}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/filters/spatial.py"/>
        <source>Unreadable geometry: {wkt}</source>
        <translation>Геометрію неможливо прочитати: {wkt}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/filters/spatial.py"/>
        <source>The workspace has no districts layer: {path}</source>
        <translation>У робочому просторі немає шару районів: {path}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/media.py"/>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>The public address of the photos must start with http:// or https://.</source>
        <translation>Публічна адреса фото має починатися з http:// або https://.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/media.py"/>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>The photo {file} does not exist.</source>
        <translation>Фото {file} не існує.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/media.py"/>
        <source>{file} is not a photo ({kinds}).</source>
        <translation>{file} не є фото ({kinds}).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/media.py"/>
        <source>The photo {file} cannot be published: its metadata cannot be removed ({error}).</source>
        <translation>Фото {file} не можна опублікувати: з нього не вдається прибрати метадані ({error}).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>«{status}» closes the report: write the answer the citizen will read.</source>
        <translation>«{status}» закриває звернення: напишіть відповідь, яку прочитає заявник.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>«Planned» needs the planned date.</source>
        <translation>Для статусу «Заплановано» потрібна запланована дата.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>«Planned» extends the term: write the reason the citizen will read.</source>
        <translation>«Заплановано» продовжує строк: напишіть причину, яку прочитає заявник.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>The planned date is in the past.</source>
        <translation>Запланована дата вже минула.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>The Procedure allows planning up to {date} at the latest (the extension limit counts from the assignment).</source>
        <translation>Порядок дозволяє планувати щонайпізніше до {date} (граничний строк продовження рахується від передачі виконавцю).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>Report No. {id}: {category}</source>
        <translation>Звернення № {id}: {category}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>Address: {address}</source>
        <translation>Адреса: {address}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>Status: {status}</source>
        <translation>Статус: {status}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>Planned for: {date}</source>
        <translation>Заплановано на: {date}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>The city's answer:</source>
        <translation>Відповідь міста:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/officer_response.py"/>
        <source>Photo: {link}</source>
        <translation>Фото: {link}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/auth.py"/>
        <source>The QGIS authentication database is not available (Settings &gt; Options &gt; Authentication).</source>
        <translation>База автентифікації QGIS недоступна (Установки &gt; Параметри &gt; Автентифікація).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/auth.py"/>
        <source>The QGIS authentication database is locked: enter the master password and try again.</source>
        <translation>База автентифікації QGIS заблокована: введіть головний пароль і спробуйте ще раз.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/auth.py"/>
        <source>The saved API key was not found in the QGIS authentication database. Enter it again.</source>
        <translation>Збережений API-ключ не знайдено в базі автентифікації QGIS. Введіть його ще раз.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/auth.py"/>
        <source>The API key could not be saved in the QGIS authentication database.</source>
        <translation>Не вдалося зберегти API-ключ у базі автентифікації QGIS.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/client.py"/>
        <source>Connected to the Open311 platform: {0} categories.</source>
        <translation>З’єднання з платформою Open311 встановлено: категорій — {0}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/client.py"/>
        <source>The API key was accepted.</source>
        <translation>API-ключ прийнято.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/client.py"/>
        <source>No API key: read-only access.</source>
        <translation>Без API-ключа: доступ лише для читання.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/client.py"/>
        <source>Reports on the platform: {0}.</source>
        <translation>Звернень на платформі: {0}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The exchange with the platform failed.</source>
        <translation>Обмін даними з платформою не вдався.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>The platform says: {0}</source>
        <translation>Відповідь платформи: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>Details: {0}</source>
        <translation>Подробиці: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>({0} answered {1})</source>
        <translation>({0} — відповідь {1})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>{0} answered {1}</source>
        <translation>{0} — відповідь {1}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform could not be reached. Check the platform address and the network connection.</source>
        <translation>Не вдалося з’єднатися з платформою. Перевірте адресу платформи та підключення до мережі.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform did not answer in time. Try again later.</source>
        <translation>Платформа не відповіла вчасно. Спробуйте пізніше.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The secure connection to the platform failed (certificate or TLS error).</source>
        <translation>Не вдалося встановити захищене з’єднання з платформою (помилка сертифіката або TLS).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform refused access: the API key is wrong or has no right to do this. Check the key in the plugin's settings, or ask the platform's administrator for a key of your role.</source>
        <translation>Платформа відмовила в доступі: API-ключ неправильний або не має права на цю дію. Перевірте ключ у налаштуваннях модуля або попросіть адміністратора платформи видати ключ для вашої ролі.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform does not know this address or this report.</source>
        <translation>Платформа не знає такої адреси або такого звернення.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The report was changed on the platform in the meantime. Synchronise and try again.</source>
        <translation>Тим часом звернення змінили на платформі. Синхронізуйте дані та спробуйте ще раз.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform rejected the data as invalid.</source>
        <translation>Платформа відхилила дані як некоректні.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform had an internal error. Try again later.</source>
        <translation>На платформі сталася внутрішня помилка. Спробуйте пізніше.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The address does not point to an Open311 platform. Check the platform URL.</source>
        <translation>За цією адресою немає платформи Open311. Перевірте адресу платформи.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform's answer could not be read.</source>
        <translation>Не вдалося прочитати відповідь платформи.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform did not accept the API key (HTTP 401). Check the key in Settings; the responses wait.</source>
        <translation>Платформа не прийняла ключ API (HTTP 401). Перевірте ключ у налаштуваннях; відповіді чекають.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Canceled.</source>
        <translation>Скасовано.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform asks to slow down (too many requests). The next sync tries again.</source>
        <translation>Платформа просить зменшити частоту (забагато запитів). Наступна синхронізація спробує знову.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform sent the request elsewhere (a redirect). It was not followed, so the API key stayed here. Check the platform address in Settings.</source>
        <translation>Платформа переспрямувала запит в інше місце. Переспрямування не виконано, тож ключ API нікуди не пішов. Перевірте адресу платформи в налаштуваннях.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The API key was not sent: the address is not the configured platform, or the connection is not encrypted (http). Use an https address, or allow plain http in Settings.</source>
        <translation>Ключ API не надіслано: адреса не належить налаштованій платформі або з'єднання не зашифроване (http). Вкажіть адресу https або дозвольте звичайний http у налаштуваннях.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform's answer is larger than the plugin accepts; it was cut off.</source>
        <translation>Відповідь платформи більша, ніж приймає модуль; її обірвано.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform does not offer this call.</source>
        <translation>Платформа не підтримує цей запит.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <location filename="../openmisto_plugin/core/sync_push.py"/>
        <source>This platform accepts no responses from QGIS. They are kept here as waiting: export them and enter them on the platform by hand; they are sent when the platform accepts them.</source>
        <translation>Ця платформа не приймає відповідей із QGIS. Вони зберігаються тут як такі, що очікують: експортуйте їх і внесіть на платформі вручну; їх буде надіслано, щойно платформа почне їх приймати.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/errors.py"/>
        <source>The platform did not confirm the response. It stays waiting and is sent again at the next sync.</source>
        <translation>Платформа не підтвердила відповідь. Вона залишається в черзі й буде надіслана знову під час наступної синхронізації.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>Formats</source>
        <translation>Формати</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>{0} (used: {1})</source>
        <translation>{0} (використовується: {1})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>none (date windows)</source>
        <translation>немає (проміжки дат)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>not known yet</source>
        <translation>ще невідомо</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>at most {0} per answer</source>
        <translation>не більше {0} у відповіді</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>Last incremental sync</source>
        <translation>Остання часткова синхронізація</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>This platform accepts no responses from QGIS: they are kept here.</source>
        <translation>Ця платформа не приймає відповідей з QGIS: вони зберігаються тут.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>It keeps no report histories.</source>
        <translation>Вона не веде історії звернень.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>XML</source>
        <translation>XML</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>Only changes (updated_after)</source>
        <translation>Лише зміни (updated_after)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>Extended attributes</source>
        <translation>Розширені атрибути</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>Report history</source>
        <translation>Історія звернень</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>Responses from QGIS</source>
        <translation>Відповіді з QGIS</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Departments</source>
        <translation>Відділи</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>Discovery</source>
        <translation>Discovery (опис сервісу)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>jurisdiction_id required</source>
        <translation>Потрібен jurisdiction_id</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>Paging</source>
        <translation>Посторінкова видача</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>unknown until the first push</source>
        <translation>невідомо до першого надсилання</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>yes</source>
        <translation>так</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>no</source>
        <translation>ні</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>reports changed since the last sync (updated_after)</source>
        <translation>звернення, змінені від останньої синхронізації (updated_after)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>new reports by start_date since the last sync, and the open reports refreshed by their ids (the platform ignores updated_after)</source>
        <translation>нові звернення за start_date від останньої синхронізації та відкриті звернення, оновлені за їхніми ідентифікаторами (платформа ігнорує updated_after)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>every report (full sync)</source>
        <translation>усі звернення (повна синхронізація)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/open311/profile.py"/>
        <source>Automatic (JSON when offered, else XML)</source>
        <translation>Автоматично (JSON, якщо є, інакше XML)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Report</source>
        <translation>Звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <source>New status</source>
        <translation>Новий статус</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Answer</source>
        <translation>Відповідь</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Made</source>
        <translation>Зроблено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <source>Made by</source>
        <translation>Хто вніс</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <source>Change id</source>
        <translation>Ідентифікатор зміни</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_export.py"/>
        <source>Waiting responses</source>
        <translation>Відповіді в черзі</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Waiting to be sent</source>
        <translation>Очікує надсилання</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Sent</source>
        <translation>Надіслано</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Refused by the platform</source>
        <translation>Відхилено платформою</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Conflict: changed by someone else</source>
        <translation>Конфлікт: змінено кимось іншим</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Open/closed</source>
        <translation>Відкрите/закрите</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Duplicate of</source>
        <translation>Дублікат звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Photo</source>
        <translation>Фото</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Changed at</source>
        <translation>Час зміни</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>status → {status}</source>
        <translation>статус → {status}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>department → {code}</source>
        <translation>виконавчий орган → {code}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>category → {code}</source>
        <translation>категорія → {code}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>duplicate of {id}</source>
        <translation>дублікат звернення {id}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>planned for {date}</source>
        <translation>заплановано на {date}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>answer: «{text}»</source>
        <translation>відповідь: «{text}»</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>photo</source>
        <translation>фото</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Delivered to the platform.</source>
        <translation>Доставлено на платформу.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Someone changed the report on the platform after you: compare both versions, then re-apply your change or drop it.</source>
        <translation>Хтось змінив звернення на платформі після вас: порівняйте обидві версії, а тоді застосуйте свою зміну повторно або відмовтеся від неї.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Refused: your API key has no right to make this change. An officer may change only the reports assigned to the own department and set only the officers' statuses; a viewer key cannot change anything.</source>
        <translation>Відхилено: ваш API-ключ не має права на цю зміну. Відповідальна особа може змінювати лише звернення, передані її виконавчому органу, і встановлювати лише статуси відповідальних осіб; ключ для перегляду нічого не змінює.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Refused: the platform does not know this report (deleted or never published).</source>
        <translation>Відхилено: платформа не знає цього звернення (видалене або ніколи не оприлюднене).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Refused: the platform found the change invalid.</source>
        <translation>Відхилено: платформа визнала зміну некоректною.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Saved here and will be sent as soon as the platform is reachable (tries: {n}; next try at {time}). Nothing to do; if it lasts for hours, check the network or tell the platform's administrator.</source>
        <translation>Збережено тут і буде надіслано, щойно платформа стане доступною (спроб: {n}; наступна о {time}). Нічого робити не треба; якщо це триває годинами, перевірте мережу або повідомте адміністратора платформи.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Saved here; sent at the next synchronisation.</source>
        <translation>Збережено тут; буде надіслано під час наступної синхронізації.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>The change {id} is no longer in the outbox.</source>
        <translation>Зміни {id} уже немає в черзі надсилання.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>Only a change in conflict can be re-applied.</source>
        <translation>Повторно застосувати можна лише зміну в конфлікті.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/outbox_view.py"/>
        <source>This change was delivered already; it cannot be dropped.</source>
        <translation>Цю зміну вже доставлено; відмовитися від неї не можна.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/profiles.py"/>
        <source>This key belongs to the role «{key}», but the role set below is «{set}». Choose the role of the key, or the key of the role: the platform will only allow what the key's role may do.</source>
        <translation>Цей ключ належить ролі «{key}», а нижче обрано роль «{set}». Оберіть роль цього ключа або ключ цієї ролі: платформа дозволить лише те, що може роль ключа.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/profiles.py"/>
        <source>The role «{profile}» works in its own workspace: {path}.</source>
        <translation>Роль «{profile}» працює у власному робочому просторі: {path}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/profiles.py"/>
        <source>{n} responses made as «{profile}» are not sent yet: they are kept in {path} and are sent when you switch back to that role.</source>
        <translation>Ще не надіслано відповідей, зроблених як «{profile}»: {n}. Вони збережені в {path} і будуть надіслані, коли ви повернетеся до цієї ролі.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/common.py"/>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Open City</source>
        <translation>Відкрите Місто</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Citizen reports</source>
        <translation>Звернення громадян</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>ID</source>
        <translation>Ідентифікатор</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Report number</source>
        <translation>Номер звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Open311 state</source>
        <translation>Стан (Open311)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Category code</source>
        <translation>Код категорії</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Description</source>
        <translation>Опис</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Platform notice</source>
        <translation>Повідомлення платформи</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Status notes</source>
        <translation>Примітки до статусу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Updated</source>
        <translation>Оновлено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Expected by</source>
        <translation>Очікуваний строк</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Photo link</source>
        <translation>Посилання на фото</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Latitude</source>
        <translation>Широта</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Longitude</source>
        <translation>Довгота</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Extended attributes (JSON)</source>
        <translation>Додаткові атрибути (JSON)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Deadline</source>
        <translation>Кінцевий строк</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Deadline stage</source>
        <translation>Етап строку</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Version</source>
        <translation>Версія</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Synchronised</source>
        <translation>Синхронізовано</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Position from</source>
        <translation>Джерело координат</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Position problem</source>
        <translation>Проблема з координатами</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Position note</source>
        <translation>Примітка до координат</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Name</source>
        <translation>Назва</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Responsible officer</source>
        <translation>Відповідальна особа</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>Phone</source>
        <translation>Телефон</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <source>E-mail</source>
        <translation>Ел. пошта</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/project_layers.py"/>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Other status</source>
        <translation>Інший статус</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>the zone «{name}» is not a polygon</source>
        <translation>зона «{name}» не є полігоном</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>Routing rules {file} cannot be read ({reason})</source>
        <translation>Не вдається прочитати правила розподілу {file} ({reason})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>Routing rules {file}, line {line}: not valid JSON ({reason})</source>
        <translation>Правила розподілу {file}, рядок {line}: некоректний JSON ({reason})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>Routing rules {file}: expected a JSON object</source>
        <translation>Правила розподілу {file}: очікується об’єкт JSON</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>Routing rules {file}: «categories» must be an object and «zones» a list</source>
        <translation>Правила розподілу {file}: «categories» має бути об’єктом, а «zones» — списком</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>Routing rules {file}: zone {number} is not an object</source>
        <translation>Правила розподілу {file}: зона {number} не є об’єктом</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>Routing rules {file}: zone {number} lacks {keys}</source>
        <translation>Правила розподілу {file}: у зоні {number} бракує {keys}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>Routing rules {file}: {problem}</source>
        <translation>Правила розподілу {file}: {problem}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>zone «{zone}» → department {department}</source>
        <translation>зона «{zone}» → виконавчий орган {department}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>category {category} → department {department}</source>
        <translation>категорія {category} → виконавчий орган {department}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>the priority of the zone «{name}» is not a whole number: «{value}»</source>
        <translation>пріоритет зони «{name}» не є цілим числом: «{value}»</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/rules.py"/>
        <source>the zone «{name}» has no valid WKT geometry</source>
        <translation>зона «{name}» не має коректної геометрії WKT</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Categories</source>
        <translation>Категорії</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>Whole city</source>
        <translation>Усе місто</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/stats/figures.py"/>
        <source>No category</source>
        <translation>Без категорії</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/statuses.py"/>
        <source>New, awaiting moderation</source>
        <translation>Нове, на модерації</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/statuses.py"/>
        <source>Accepted for consideration</source>
        <translation>Прийнято до розгляду</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/statuses.py"/>
        <source>Assigned to a department</source>
        <translation>Передано виконавцю</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/statuses.py"/>
        <source>In progress</source>
        <translation>В роботі</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/statuses.py"/>
        <source>Planned</source>
        <translation>Заплановано</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/statuses.py"/>
        <source>Duplicate</source>
        <translation>Дублікат</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/statuses.py"/>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Not the city's remit</source>
        <translation>Не належить до компетенції</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/statuses.py"/>
        <source>Rejected by the moderator</source>
        <translation>Відхилено модератором</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/factory.py"/>
        <source>A workspace path cannot contain the character |: {path}</source>
        <translation>Шлях до робочої бази не може містити символ |: {path}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/factory.py"/>
        <source>PostgreSQL: {where}</source>
        <translation>PostgreSQL: {where}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/factory.py"/>
        <source>Another sync is running on this workspace; this one was skipped.</source>
        <translation>З цим робочим простором уже працює інша синхронізація; цю пропущено.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/gpkg.py"/>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>Unsupported geometry: {value}</source>
        <translation>Непідтримувана геометрія: {value}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/gpkg.py"/>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>Unreadable geometry</source>
        <translation>Геометрію неможливо прочитати</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/gpkg.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>The workspace {path} does not exist.</source>
        <translation>Робочого простору {path} не існує.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/gpkg.py"/>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>{path} is not an OpenMisto workspace: {error}</source>
        <translation>{path} не є робочим простором «Відкритого Міста»: {error}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/gpkg.py"/>
        <source>{path} is not an OpenMisto workspace.</source>
        <translation>{path} не є робочим простором «Відкритого Міста».</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/gpkg.py"/>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <location filename="../openmisto_plugin/core/store/sql_reports.py"/>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>The workspace is closed.</source>
        <translation>Робочий простір закрито.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/gpkg.py"/>
        <source>process {pid} on {host}</source>
        <translation>процес {pid} на {host}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/gpkg.py"/>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>Another sync is running on {where} ({holder}); this one is skipped.</source>
        <translation>Інша синхронізація вже працює з {where} ({holder}); цю пропущено.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/pg_connection.py"/>
        <source>The schema name {name} is not valid: use lower-case letters, digits and _.</source>
        <translation>Назва схеми {name} неприпустима: використовуйте малі латинські літери, цифри та _.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/pg_connection.py"/>
        <source>The QGIS authentication configuration {id} cannot be read (is the master password set?).</source>
        <translation>Не вдається прочитати конфігурацію автентифікації QGIS {id} (чи введено головний пароль?).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/pg_connection.py"/>
        <source>There is no saved PostgreSQL connection named {name}.</source>
        <translation>Немає збереженого з'єднання PostgreSQL з назвою {name}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/pg_connection.py"/>
        <source>Not a PostgreSQL workspace: {uri}</source>
        <translation>Це не робочий простір PostgreSQL: {uri}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/pg_connection.py"/>
        <source>Cannot read {part} in {uri}</source>
        <translation>Не вдається прочитати {part} в {uri}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/pg_connection.py"/>
        <source>A password in the workspace address is not allowed: use an authcfg, a service or ~/.pgpass.</source>
        <translation>Пароль в адресі робочого простору не дозволено: використовуйте authcfg, службу (pg_service) або ~/.pgpass.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/pg_connection.py"/>
        <source>Unknown keys in {uri}: {keys}</source>
        <translation>Невідомі ключі в {uri}: {keys}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>PostgreSQL support needs the psycopg2 module (Debian: python3-psycopg2).</source>
        <translation>Для роботи з PostgreSQL потрібен модуль psycopg2 (Debian: python3-psycopg2).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>Cannot connect to PostgreSQL ({where}): {error}</source>
        <translation>Не вдається під'єднатися до PostgreSQL ({where}): {error}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>The database {where} has no PostGIS: run CREATE EXTENSION postgis first.</source>
        <translation>У базі {where} немає PostGIS: спершу виконайте CREATE EXTENSION postgis.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>The workspace {where} exists already.</source>
        <translation>Робочий простір {where} уже існує.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>There is no workspace in {where}.</source>
        <translation>У {where} немає робочого простору.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>{where} is not an OpenMisto workspace.</source>
        <translation>{where} — не робочий простір OpenMisto.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/postgis.py"/>
        <source>{who}, connected at {since} UTC</source>
        <translation>{who}, під'єднано о {since} UTC</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/records.py"/>
        <source>Report {id} was changed meanwhile by {who} (version {theirs}; you edited version {yours}). Check the new values and apply your change again.</source>
        <translation>Звернення {id} тим часом змінив {who} (версія {theirs}; ви редагували версію {yours}). Перегляньте нові значення й застосуйте свою зміну ще раз.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/records.py"/>
        <source>another user</source>
        <translation>інший користувач</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/rows.py"/>
        <source>Not a position on the map: latitude {lat}, longitude {lon}.</source>
        <translation>Це не точка на мапі: широта {lat}, довгота {lon}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/schema.py"/>
        <source>The workspace {path} has schema version {found}, newer than this plugin knows ({known}). Update the plugin.</source>
        <translation>Робочий простір {path} має версію схеми {found}, новішу, ніж відомо цьому модулю ({known}). Оновіть модуль.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/schema.py"/>
        <source>The file {path} exists already.</source>
        <translation>Файл {path} уже існує.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/sql.py"/>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Unknown report {id}</source>
        <translation>Невідоме звернення {id}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/sql.py"/>
        <source>Unknown outbox entry {id}</source>
        <translation>Невідомий запис у черзі надсилання {id}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/store/sql.py"/>
        <source>Only a conflicting change can be re-applied.</source>
        <translation>Повторно застосувати можна лише зміну, що спричинила конфлікт.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/sync.py"/>
        <source>The report histories could not be read ({0}); skipped.</source>
        <translation>Історію звернень не вдалося прочитати ({0}); пропущено.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/sync.py"/>
        <source>The platform answered as many reports as it gives at a time for {0} date windows that could not be narrowed (it may ignore start_date and end_date): some reports may be missing there.</source>
        <translation>Платформа віддала стільки звернень, скільки дозволяє за раз, для {0} проміжків дат, які не вдалося звузити (можливо, вона ігнорує start_date і end_date): частини звернень там може бракувати.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/sync.py"/>
        <source>this platform keeps no report histories; skipped</source>
        <translation>ця платформа не веде історії звернень; пропущено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/sync.py"/>
        <source>this platform ignores updated_after; changes were fetched by start_date and the open reports' ids</source>
        <translation>ця платформа ігнорує updated_after; зміни отримано за start_date та ідентифікаторами відкритих звернень</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/sync.py"/>
        <source>this platform has no districts list; skipped</source>
        <translation>ця платформа не має переліку районів; пропущено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/sync.py"/>
        <source>this platform has no departments list; skipped</source>
        <translation>ця платформа не має переліку відділів; пропущено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/sync.py"/>
        <source>this platform accepts no responses from QGIS; they are kept here</source>
        <translation>ця платформа не приймає відповідей з QGIS; вони зберігаються тут</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/sync_types.py"/>
        <source>New: {new}, updated: {updated}, unchanged: {unchanged}, skipped: {skipped}.</source>
        <translation>Нових: {new}, оновлених: {updated}, без змін: {unchanged}, пропущених: {skipped}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/sync_types.py"/>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <source>Without a position (to place by hand): {0}.</source>
        <translation>Без координат (розмістити вручну): {0}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/sync_types.py"/>
        <source>Cancelled: the next sync completes it.</source>
        <translation>Скасовано: наступна синхронізація її завершить.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <source>The workspace file could not be read or written: another program may have changed, moved or removed it (or its -wal/-shm files) while QGIS had it open. It has been opened again; synchronise once more. (SQLite: {0})</source>
        <translation>Робочий простір не вдалося прочитати чи записати: інша програма могла змінити, перемістити або видалити файл (чи його файли -wal/-shm), поки QGIS його тримав відкритим. Його відкрито знову — синхронізуйте ще раз. (SQLite: {0})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <source>Unexpected error: {0}</source>
        <translation>Неочікувана помилка: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <source>New: {0}, updated: {1}, unchanged: {2}.</source>
        <translation>Нових: {0}, оновлених: {1}, без змін: {2}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <source>Skipped: {0}</source>
        <translation>Пропущено: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <source>Sent to the platform: {0}, refused: {1}, conflicts: {2}.</source>
        <translation>Надіслано на платформу: {0}, відхилено: {1}, конфліктів: {2}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <source>Waiting to be sent again: {0}.</source>
        <translation>Очікують повторного надсилання: {0}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <source>Sending failed: {0}</source>
        <translation>Надсилання не вдалося: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Canceled: the next sync completes what is missing.</source>
        <translation>Скасовано: наступна синхронізація доповнить те, чого бракує.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Not offered by this platform: {0}.</source>
        <translation>Ця платформа не підтримує: {0}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <source>Open City: full sync</source>
        <translation>Відкрите Місто: повна синхронізація</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/tasks.py"/>
        <source>Open City: sync</source>
        <translation>Відкрите Місто: синхронізація</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/unplaced.py"/>
        <source>placed by hand (kept in this workspace only; the platform has none)</source>
        <translation>розміщено вручну (лише в цьому робочому просторі; у платформи координат немає)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/unplaced.py"/>
        <source>none from the platform: place it from the «No position» tab</source>
        <translation>платформа їх не надала: розмістіть на вкладці «Без координат»</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/unplaced.py"/>
        <source>far outside the city (left out of the map's extent)</source>
        <translation>далеко за межами міста (не враховується в охопленні мапи)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/unplaced.py"/>
        <source>the platform swapped latitude and longitude; repaired</source>
        <translation>платформа переплутала широту й довготу; виправлено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/unplaced.py"/>
        <source>far outside the city</source>
        <translation>далеко за межами міста</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/unplaced.py"/>
        <source>position 0,0</source>
        <translation>координати 0,0</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/unplaced.py"/>
        <source>position is not a number</source>
        <translation>координати не є числом</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/unplaced.py"/>
        <source>lat/long swapped, outside the city</source>
        <translation>широту й довготу переплутано, поза містом</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/unplaced.py"/>
        <source>position out of range</source>
        <translation>координати поза допустимими межами</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/unplaced.py"/>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>no position</source>
        <translation>без координат</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Report {id} is not in the workspace.</source>
        <translation>Звернення {id} немає в робочому просторі.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>moderator</source>
        <translation>модератор</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>department officer</source>
        <translation>відповідальна особа виконавчого органу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>viewer</source>
        <translation>переглядач</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Your role ({role}) is read-only: you cannot change reports. Ask for a moderator's or an officer's key.</source>
        <translation>Ваша роль ({role}) дозволяє лише перегляд: змінювати звернення ви не можете. Попросіть ключ модератора або відповідальної особи.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Unknown status «{code}».</source>
        <translation>Невідомий статус «{code}».</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Your department is not set. Choose it in the plugin's settings.</source>
        <translation>Ваш виконавчий орган не вказано. Оберіть його в налаштуваннях модуля.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Report {id} is assigned to {assigned}, not to your department {own}: an officer may answer only the reports of the own department. Ask the moderator to reassign it.</source>
        <translation>Звернення {id} передано до {assigned}, а не до вашого виконавчого органу {own}: відповідальна особа може відповідати лише на звернення свого органу. Попросіть модератора передати його вам.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>no department</source>
        <translation>жодного виконавчого органу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>none</source>
        <translation>жодного</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Report {id} is «{current}»: a {role} cannot set «{new}» now. Allowed next: {allowed}.</source>
        <translation>Звернення {id} має статус «{current}»: {role} не може зараз встановити «{new}». Дозволено далі: {allowed}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>The answer is {n} characters long; the platform accepts at most {max}.</source>
        <translation>Відповідь містить {n} символів; платформа приймає не більше {max}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Write the reason for rejecting report {id}.</source>
        <translation>Напишіть причину відхилення звернення {id}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Write the reason: the citizen reads why the city cannot act.</source>
        <translation>Напишіть причину: заявник прочитає, чому місто не може діяти.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Only the moderator changes the category of a report.</source>
        <translation>Змінювати категорію звернення може лише модератор.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Choose the new category.</source>
        <translation>Оберіть нову категорію.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Report {id} is already in this category.</source>
        <translation>Звернення {id} уже має цю категорію.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Unknown category «{code}».</source>
        <translation>Невідома категорія «{code}».</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>The category was changed to «{name}».</source>
        <translation>Категорію змінено на «{name}».</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Choose the original report (another one) this report duplicates.</source>
        <translation>Оберіть первинне звернення (інше), яке дублює це звернення.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Report {id} is itself closed as «{status}»: link to the original report instead.</source>
        <translation>Звернення {id} саме закрите зі статусом «{status}»: пошліться натомість на первинне звернення.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>This problem was already reported: see report {id}.</source>
        <translation>Про цю проблему вже повідомляли: див. звернення {id}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Choose the department.</source>
        <translation>Оберіть виконавчий орган.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Unknown department «{code}».</source>
        <translation>Невідомий виконавчий орган «{code}».</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>no department for it</source>
        <translation>немає відповідного виконавчого органу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>closed ({status})</source>
        <translation>закрите ({status})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>already assigned to {department}</source>
        <translation>уже передано до {department}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>{department} is working on it ({status}); reassigning was not chosen</source>
        <translation>з ним працює {department} ({status}); перепризначення не обрано</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>No report selected.</source>
        <translation>Не вибрано жодного звернення.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Only the moderator assigns reports to departments; your role is {role}.</source>
        <translation>Передавати звернення виконавчим органам може лише модератор; ваша роль — {role}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/core/workflow.py"/>
        <source>Report {id} cannot be assigned: {reason}</source>
        <translation>Звернення {id} не можна призначити: {reason}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Assign to a department</source>
        <translation>Передати виконавчому органу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Now</source>
        <translation>Зараз</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Suggested department</source>
        <translation>Запропонований виконавчий орган</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Rule that matched</source>
        <translation>Застосоване правило</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Each report to its suggested department</source>
        <translation>Кожне звернення — запропонованому виконавчому органу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>All to one department:</source>
        <translation>Усі — одному виконавчому органу:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Also reassign the reports another department is already working on</source>
        <translation>Також перепризначити звернення, з якими вже працює інший підрозділ</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Off: such reports stay with their department. On: they move, and their deadline starts again.</source>
        <translation>Вимкнено: такі звернення лишаються у свого підрозділу. Увімкнено: вони переходять, і їхній строк починається знову.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <source>Note for the citizen (optional):</source>
        <translation>Примітка для заявника (необов’язково):</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Import rules…</source>
        <translation>Імпортувати правила…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Load routing rules from a JSON file into the workspace</source>
        <translation>Завантажити правила розподілу з файлу JSON до робочого простору</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>no rule</source>
        <translation>немає правила</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Routing rules</source>
        <translation>Правила розподілу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Assign {n} ({parts}).</source>
        <translation>Призначити {n} ({parts}).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Reassign {n} from another department:</source>
        <translation>Перепризначити {n} від іншого підрозділу:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>{id}: {status} with {old} → {new}</source>
        <translation>{id}: «{status}» у {old} → {new}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Leave {n} as they are:</source>
        <translation>Залишити без змін {n}:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>{n} — {reason} ({ids})</source>
        <translation>{n} — {reason} ({ids})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Nothing to assign.</source>
        <translation>Нічого призначати.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Report {id}</source>
        <translation>Звернення {id}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>{n} reports selected on the map</source>
        <translation>Вибрано звернень на мапі: {n}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Assign {n} reports</source>
        <translation>Передати звернення ({n})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Assign the report</source>
        <translation>Передати звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Only the moderator assigns reports to departments.</source>
        <translation>Передавати звернення виконавчим органам може лише модератор.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>They are sent to the platform at the next sync. Go on?</source>
        <translation>Їх буде надіслано на платформу під час наступної синхронізації. Продовжити?</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Assigned: {n}.</source>
        <translation>Передано: {n}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/assign_dialog.py"/>
        <source>Left as they were: {n} ({reasons}).</source>
        <translation>Залишено без змін: {n} ({reasons}).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/common.py"/>
        <source>Yes</source>
        <translation>Так</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/common.py"/>
        <source>No</source>
        <translation>Ні</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/common.py"/>
        <source>OK</source>
        <translation>Гаразд</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/common.py"/>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Cancel</source>
        <translation>Скасувати</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/common.py"/>
        <source>Close</source>
        <translation>Закрити</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Moderator</source>
        <translation>Модератор</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Department officer</source>
        <translation>Відповідальна особа виконавчого органу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Viewer (read only)</source>
        <translation>Перегляд (лише читання)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Apply a filter to list its reports here.</source>
        <translation>Застосуйте фільтр, щоб побачити тут список звернень.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Deadline: {0}</source>
        <translation>Кінцевий строк: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>overdue</source>
        <translation>прострочено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>No report matches the filter.</source>
        <translation>Жодне звернення не відповідає фільтру.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>The {shown} most urgent of {count} reports (narrow the filter to see the rest).</source>
        <translation>{shown} найтерміновіших із {count} звернень (звузьте фільтр, щоб побачити решту).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Overdue (red): {overdue}.</source>
        <translation>Прострочених (червоним): {overdue}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Double-click a report for its details.</source>
        <translation>Подвійний клік відкриває картку звернення.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Platform</source>
        <translation>Платформа</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Settings…</source>
        <translation>Налаштування…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Synchronisation</source>
        <translation>Синхронізація</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Sync now</source>
        <translation>Синхронізувати зараз</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Send pending changes and fetch new and changed reports</source>
        <translation>Надіслати неопрацьовані зміни й отримати нові та змінені звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Full sync</source>
        <translation>Повна синхронізація</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Fetch every report again (slower; repairs a damaged workspace)</source>
        <translation>Отримати всі звернення заново (повільніше; відновлює пошкоджений робочий простір)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Overview</source>
        <translation>Огляд</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Reports</source>
        <translation>Звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Report details (click on the map)</source>
        <translation>Картка звернення (клацніть на мапі)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Add layers to the map</source>
        <translation>Додати шари на мапу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Zoom to reports</source>
        <translation>Наблизити до звернень</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Workspace: {0}</source>
        <translation>Робочий простір: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Shared workspace: {0}</source>
        <translation>Спільний робочий простір: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Not configured: open the settings and enter the platform address.</source>
        <translation>Не налаштовано: відкрийте налаштування та введіть адресу платформи.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>{0}, department {1}</source>
        <translation>{0}, виконавчий орган {1}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Role: {0}</source>
        <translation>Роль: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Last sync: {0} (recorded in the workspace)</source>
        <translation>Остання синхронізація: {0} (за записом у робочому просторі)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Your last sync: {0}</source>
        <translation>Ваша остання синхронізація: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Last sync: {0}</source>
        <translation>Остання синхронізація: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Not synchronised yet.</source>
        <translation>Ще не синхронізовано.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>Total: {0}, open: {1}</source>
        <translation>Усього: {0}, відкритих: {1}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>overdue: {0}</source>
        <translation>прострочених: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock.py"/>
        <source>No reports in the workspace yet.</source>
        <translation>У робочому просторі ще немає звернень.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock_pages.py"/>
        <source>No position</source>
        <translation>Без координат</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock_pages.py"/>
        <source>Filter</source>
        <translation>Фільтр</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/dock_pages.py"/>
        <source>Outbox</source>
        <translation>Надсилання</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <source>Duplicates of report {id}</source>
        <translation>Дублікати звернення {id}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <source>Report {id}: {category}, {address}</source>
        <translation>Звернення {id}: {category}, {address}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <source> m</source>
        <translation> м</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <source> days</source>
        <translation> дн.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Within</source>
        <translation>У межах</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <source>and</source>
        <translation>і</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <source>Distance, m</source>
        <translation>Відстань, м</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <source>Days apart</source>
        <translation>Різниця, днів</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <source>Close as a duplicate of the selected</source>
        <translation>Закрити як дублікат вибраного</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/duplicates_dialog.py"/>
        <source>Candidates: {n}, nearest first.</source>
        <translation>Кандидатів: {n}, найближчі першими.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Name of a saved filter</source>
        <translation>Назва збереженого фільтра</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Save</source>
        <translation>Зберегти</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Save the filter under this name</source>
        <translation>Зберегти фільтр під цією назвою</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Load</source>
        <translation>Завантажити</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Load the saved filter and apply it</source>
        <translation>Завантажити збережений фільтр і застосувати його</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Delete</source>
        <translation>Видалити</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Delete the saved filter</source>
        <translation>Видалити збережений фільтр</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>From</source>
        <translation>З</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>To</source>
        <translation>По</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Overdue only</source>
        <translation>Лише прострочені</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Open reports whose deadline has passed</source>
        <translation>Відкриті звернення, строк яких минув</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Words in the description, address or number</source>
        <translation>Слова з опису, адреси або номера</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Text</source>
        <translation>Текст</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Where</source>
        <translation>Де</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>In the current map extent</source>
        <translation>У поточних межах мапи</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Draw a polygon</source>
        <translation>Накреслити полігон</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Click the vertices on the map; a right click finishes</source>
        <translation>Клацайте вершини на мапі; правий клік завершує</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Remove the polygon</source>
        <translation>Прибрати полігон</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>No polygon</source>
        <translation>Полігону немає</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>m</source>
        <translation>м</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>of the selected features of</source>
        <translation>від вибраних об’єктів шару</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Apply</source>
        <translation>Застосувати</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Show all</source>
        <translation>Показати всі</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Reset the filter and show every report</source>
        <translation>Скинути фільтр і показати всі звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Cannot read the workspace: {error}</source>
        <translation>Не вдається прочитати робочий простір: {error}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>(not assigned)</source>
        <translation>(не передано)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Click the polygon's corners on the map; a right click finishes it, Esc cancels.</source>
        <translation>Клацайте вершини полігона на карті; права кнопка миші завершує, Esc скасовує.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Polygon: {n} vertices</source>
        <translation>Полігон: вершин — {n}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Open a workspace first.</source>
        <translation>Спершу відкрийте робочий простір.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Select the features of the layer {layer} to measure the distance from.</source>
        <translation>Виберіть об’єкти шару {layer}, від яких вимірювати відстань.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Choose the layer to measure the distance from.</source>
        <translation>Оберіть шар, від якого вимірювати відстань.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>The layer did not accept the filter.</source>
        <translation>Шар не прийняв фільтр.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>The filter cannot be applied: {error}</source>
        <translation>Фільтр неможливо застосувати: {error}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>{count} reports</source>
        <translation>Звернень: {count}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Type a name for the filter.</source>
        <translation>Введіть назву фільтра.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>The filter was not saved: {error}</source>
        <translation>Фільтр не збережено: {error}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>Filter “{name}” saved.</source>
        <translation>Фільтр «{name}» збережено.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>The saved filter cannot be read: {error}</source>
        <translation>Збережений фільтр неможливо прочитати: {error}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>There is no saved filter “{name}”.</source>
        <translation>Немає збереженого фільтра «{name}».</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/filter_panel.py"/>
        <source>The filter was not deleted: {error}</source>
        <translation>Фільтр не видалено: {error}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/help.py"/>
        <source>Help</source>
        <translation>Довідка</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/help.py"/>
        <source>Open the user guide at this topic</source>
        <translation>Відкрити посібник на цій темі</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/help.py"/>
        <source>The user guide is not installed with the plugin (expected in {path}).</source>
        <translation>Посібник не встановлено разом із плагіном (очікувався в {path}).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/map_view.py"/>
        <source>The layers could not be added; the log (Open City tab) says why.</source>
        <translation>Шари не вдалося додати; причину видно в журналі (вкладка «Відкрите Місто»).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/map_view.py"/>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>That did not work; the log (Open City tab) says why.</source>
        <translation>Це не вдалося; причину видно в журналі (вкладка «Відкрите Місто»).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/map_view.py"/>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>There is no workspace yet: synchronise first.</source>
        <translation>Робочого простору ще немає: спершу виконайте синхронізацію.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/map_view.py"/>
        <source>The workspace has no layers to add.</source>
        <translation>У робочому просторі немає шарів для додавання.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/map_view.py"/>
        <source>Basemap: {0}. Without the internet it stays empty; the reports are drawn anyway.</source>
        <translation>Підложка: {0}. Без інтернету вона порожня; звернення показано все одно.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/map_view.py"/>
        <source>The reports layer is not in the project.</source>
        <translation>Шару звернень немає в проєкті.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Waiting</source>
        <translation>Очікує</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Working days since the report was received</source>
        <translation>Робочих днів від надходження звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Accept</source>
        <translation>Прийняти</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Accept for consideration</source>
        <translation>Прийняти до розгляду</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Reject…</source>
        <translation>Відхилити…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Reject as spam or abuse</source>
        <translation>Відхилити як спам або образу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Not the city's remit…</source>
        <translation>Не належить до компетенції…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Close: not the city's remit (with a reason)</source>
        <translation>Закрити: не належить до компетенції міста (з причиною)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Category…</source>
        <translation>Категорія…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Change the category</source>
        <translation>Змінити категорію</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Duplicates…</source>
        <translation>Дублікати…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Find duplicates of the selected report</source>
        <translation>Знайти дублікати вибраного звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Assign…</source>
        <translation>Передати…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Assign the selected reports to a department</source>
        <translation>Передати вибрані звернення виконавчому органу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Refresh</source>
        <translation>Оновити</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Read the queue again</source>
        <translation>Перечитати чергу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Received: {when}. Due: {due}.</source>
        <translation>Надійшло: {when}. Строк: {due}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Waiting for moderation: {n}; overdue: {overdue}. Oldest first.</source>
        <translation>Очікують модерації: {n}; прострочено: {overdue}. Спершу найдавніші.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Moderation is the moderator's: your role is read-only here.</source>
        <translation>Модерацію виконує модератор: тут ваша роль дозволяє лише перегляд.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Not done: {reasons}</source>
        <translation>Не виконано: {reasons}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Accepted: {n}.</source>
        <translation>Прийнято: {n}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Rejected: {n}.</source>
        <translation>Відхилено: {n}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Closed as not the city's remit: {n}.</source>
        <translation>Закрито як такі, що не належать до компетенції міста: {n}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Category changed: {n}.</source>
        <translation>Категорію змінено: {n}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Reject</source>
        <translation>Відхилити</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Reason (internal; the report is hidden from the public):</source>
        <translation>Причина (внутрішня; звернення приховується від громадськості):</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Why the city cannot act (the citizen reads it):</source>
        <translation>Чому місто не може діяти (це прочитає заявник):</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>Close the report</source>
        <translation>Закрити звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>The workspace has no categories yet: synchronise first.</source>
        <translation>У робочому просторі ще немає категорій: спершу виконайте синхронізацію.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/moderation_panel.py"/>
        <source>New category:</source>
        <translation>Нова категорія:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>The monthly report could not be written: {error}</source>
        <translation>Місячний звіт не вдалося записати: {error}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Open City: monthly report</source>
        <translation>Відкрите Місто: щомісячний звіт</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Monthly report</source>
        <translation>Щомісячний звіт</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Calendar month</source>
        <translation>Календарний місяць</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>From – to</source>
        <translation>З – по</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Internal (with the responsible officers)</source>
        <translation>Внутрішня (з відповідальними особами)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Public (no personal data, for the media)</source>
        <translation>Публічна (без персональних даних, для ЗМІ)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Show counts per 250 m cell instead of points</source>
        <translation>Показувати кількість у клітинках 250 м замість точок</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Keep the citizens' text in the overdue lists</source>
        <translation>Залишити текст громадян у списках прострочених</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>OpenStreetMap under the maps (needs the internet)</source>
        <translation>OpenStreetMap під картами (потрібен інтернет)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Streets and house numbers under the reports; offline the maps print without them</source>
        <translation>Вулиці й номери будинків під зверненнями; без інтернету карти друкуються без них</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Ukrainian</source>
        <translation>Українська</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>English</source>
        <translation>Англійська</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>PDF files (*.pdf)</source>
        <translation>Файли PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>CSV files (*.csv)</source>
        <translation>Файли CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Книги Excel (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Keep the layouts in the project (for the layout designer)</source>
        <translation>Залишити макети в проєкті (для конструктора макетів)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Adds the atlas's layouts and a layer group to the current project</source>
        <translation>Додає макети атласу й групу шарів до поточного проєкту</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Open the PDF when it is ready</source>
        <translation>Відкрити PDF, коли буде готовий</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>One page per</source>
        <translation>Окрема сторінка на</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Language</source>
        <translation>Мова</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Atlas (PDF)</source>
        <translation>Атлас (PDF)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Figures (CSV, optional)</source>
        <translation>Показники (CSV, необов'язково)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Figures (XLSX, optional)</source>
        <translation>Показники (XLSX, необов'язково)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Make the report</source>
        <translation>Скласти звіт</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Choose a file</source>
        <translation>Вибрати файл</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Save as</source>
        <translation>Зберегти як</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>The workspace {path} does not exist: synchronise first.</source>
        <translation>Робочого простору {path} немає: спершу синхронізуйте.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>The layouts could not be added to the project: {error}</source>
        <translation>Не вдалося додати макети до проєкту: {error}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/monthly_report_dialog.py"/>
        <source>Monthly report ready: {pages} pages, {path}</source>
        <translation>Щомісячний звіт готовий: сторінок — {pages}, {path}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <source>Why</source>
        <translation>Причина</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <source>Place on the map</source>
        <translation>Розмістити на мапі</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <source>Click on the map where the selected report is. The position is kept in this workspace only, marked as placed by hand: Open311 cannot send a position back to the platform.</source>
        <translation>Клацніть на мапі там, де розташоване вибране звернення. Координати зберігаються лише в цьому робочому просторі з позначкою «розміщено вручну»: Open311 не дає змоги передати координати назад на платформу.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <source>Platform: {0}</source>
        <translation>Платформа: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <source>Without a position: {n}; far outside the city: {far}.</source>
        <translation>Без координат: {n}; далеко за межами міста: {far}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <source>Placing reports on the map is the moderator's.</source>
        <translation>Розміщувати звернення на мапі може лише модератор.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <source>Click on the map where report {id} is (Esc cancels).</source>
        <translation>Клацніть на мапі там, де розташоване звернення {id} (Esc — скасувати).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/no_position_panel.py"/>
        <source>Report {id} placed on the map (kept in this workspace only).</source>
        <translation>Звернення {id} розміщено на мапі (збережено лише в цьому робочому просторі).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Conflict on report {id}</source>
        <translation>Конфлікт у зверненні {id}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Another user changed report {id} in the shared workspace after you opened it, so your change ({change}) was not saved. Compare the versions: apply yours on the new version, or drop it.</source>
        <translation>Інший користувач змінив звернення {id} у спільному робочому просторі після того, як ви його відкрили, тому вашу зміну ({change}) не збережено. Порівняйте версії: застосуйте свою до нової версії або відмовтеся від неї.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Someone changed report {id} on the platform after you made your change ({change}). Compare the versions: re-apply yours over the platform's, or drop yours and keep the platform's.</source>
        <translation>Хтось змінив звернення {id} на платформі після вашої зміни ({change}). Порівняйте версії: застосуйте свою повторно поверх версії платформи або відкиньте свою й залиште версію платформи.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Field</source>
        <translation>Поле</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Before your change</source>
        <translation>До вашої зміни</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Your change</source>
        <translation>Ваша зміна</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Workspace now</source>
        <translation>Зараз у робочому просторі</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Platform now</source>
        <translation>На платформі зараз</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Re-apply my change</source>
        <translation>Застосувати мою зміну повторно</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Drop my change</source>
        <translation>Відкинути мою зміну</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Apply my change on the new version</source>
        <translation>Застосувати мою зміну до нової версії</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>All changes</source>
        <translation>Усі зміни</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>State</source>
        <translation>Стан</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Tries</source>
        <translation>Спроб</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Why / platform's reason</source>
        <translation>Чому / причина від платформи</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Retry now</source>
        <translation>Повторити зараз</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Drop…</source>
        <translation>Відкинути…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Re-apply</source>
        <translation>Застосувати повторно</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Compare versions…</source>
        <translation>Порівняти версії…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Export waiting…</source>
        <translation>Експортувати чергу…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Save the waiting changes as a table (XLSX or CSV), to enter them on the platform by hand</source>
        <translation>Зберегти зміни, що очікують, як таблицю (XLSX або CSV), щоб унести їх на платформі вручну</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Waiting: {p}, refused: {r}, conflicts: {c}, sent: {s}</source>
        <translation>Очікують: {p}, відхилено: {r}, конфліктів: {c}, надіслано: {s}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Report {id}: {change}</source>
        <translation>Звернення {id}: {change}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Export waiting changes</source>
        <translation>Експорт змін, що очікують</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Excel (*.xlsx);;CSV (*.csv)</source>
        <translation>Excel (*.xlsx);;CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>The file could not be written: {0}</source>
        <translation>Не вдалося записати файл: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Waiting changes exported: {0} ({1}).</source>
        <translation>Експортовано змін, що очікують: {0} ({1}).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Queued to be sent now: {n}.</source>
        <translation>Поставлено на надсилання зараз: {n}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Drop changes</source>
        <translation>Відкинути зміни</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Drop {n} changes? They are not sent; the reports show the platform's values again.</source>
        <translation>Відкинути зміни ({n})? Їх не буде надіслано; звернення знову показуватимуть дані платформи.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Dropped: {n}.</source>
        <translation>Відкинуто: {n}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Re-applied: {n}; they are sent at the next sync.</source>
        <translation>Застосовано повторно: {n}; їх буде надіслано під час наступної синхронізації.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Your change is sent again at the next sync.</source>
        <translation>Вашу зміну буде надіслано знову під час наступної синхронізації.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/outbox_panel.py"/>
        <source>Your change was dropped; the report shows the platform's version.</source>
        <translation>Вашу зміну відкинуто; звернення показує версію платформи.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/place_report_tool.py"/>
        <source>Placing cancelled.</source>
        <translation>Розміщення скасовано.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/platform_profile_view.py"/>
        <source>What this platform offers:</source>
        <translation>Що пропонує ця платформа:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/reason_dialog.py"/>
        <source>No. {0}</source>
        <translation>№ {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/reason_dialog.py"/>
        <source>no address</source>
        <translation>без адреси</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/reason_dialog.py"/>
        <source>… and {n} more</source>
        <translation>… і ще {n}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/reason_dialog.py"/>
        <source>Report:</source>
        <translation>Звернення:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/reason_dialog.py"/>
        <source>Reports ({n}):</source>
        <translation>Звернення ({n}):</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/reason_dialog.py"/>
        <source>Write the reason to continue.</source>
        <translation>Напишіть причину, щоб продовжити.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Report №{0}</source>
        <translation>Звернення №{0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Position</source>
        <translation>Координати</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Open the photo</source>
        <translation>Відкрити фото</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Opens the link in the web browser</source>
        <translation>Відкриває посилання у веббраузері</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Answer to the citizen</source>
        <translation>Відповідь заявникові</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Show on map</source>
        <translation>Показати на мапі</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>The deadline the Procedure sets for the report's current stage (moderation, the answer within the working days of the Procedure, or the planned date). Overdue is counted from it.</source>
        <translation>Строк, який Порядок встановлює для поточного етапу звернення (модерація, відповідь у межах робочих днів за Порядком або запланована дата). Прострочення рахується від нього.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>The date the platform or the department expects the work to be done (as the platform sent it). It is informative: overdue is counted from the Procedure's deadline.</source>
        <translation>Дата, до якої платформа або виконавець очікує виконати роботу (як її надіслала платформа). Вона довідкова: прострочення рахується від строку за Порядком.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Deadline (Procedure and platform agree)</source>
        <translation>Кінцевий строк (за Порядком і від платформи)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Deadline by the Procedure</source>
        <translation>Строк за Порядком</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Expected date (platform or department)</source>
        <translation>Очікувана дата (від платформи/виконавця)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>When</source>
        <translation>Коли</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Author</source>
        <translation>Автор</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Note</source>
        <translation>Примітка</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>No history yet.</source>
        <translation>Історії ще немає.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>Italic rows are changes made on this workstation that the platform has not confirmed yet.</source>
        <translation>Рядки курсивом — зміни, зроблені на цьому робочому місці, які платформа ще не підтвердила.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>platform</source>
        <translation>платформа</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>this workstation</source>
        <translation>це робоче місце</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>made here, waiting to be sent to the platform</source>
        <translation>зроблено тут, очікує надсилання на платформу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>made here, in conflict with a change on the platform: see the outbox</source>
        <translation>зроблено тут, конфлікт зі зміною на платформі: див. вкладку «Надсилання»</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>made here, refused by the platform: see the outbox</source>
        <translation>зроблено тут, платформа відхилила: див. вкладку «Надсилання»</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>History ({0})</source>
        <translation>Історія ({0})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_detail.py"/>
        <source>not sent yet</source>
        <translation>ще не надіслано</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>The window could not be opened; the log (Open City tab) says why.</source>
        <translation>Вікно не вдалося відкрити; причину видно в журналі (вкладка «Відкрите Місто»).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Report {0} is not in the workspace.</source>
        <translation>Звернення {0} немає в робочому просторі.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Respond…</source>
        <translation>Відповісти…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Only reports assigned to your department can be answered.</source>
        <translation>Відповідати можна лише на звернення, передані вашому підрозділу.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>The report's status allows no response now.</source>
        <translation>Статус звернення зараз не дозволяє відповіді.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>department officers</source>
        <translation>працівників підрозділів</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>the moderator</source>
        <translation>модератора</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>This is for {0}: change the role in the settings.</source>
        <translation>Це дія для {0}: змініть роль у налаштуваннях.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Select exactly one report on the map to respond to it.</source>
        <translation>Виберіть на карті рівно одне звернення, щоб відповісти на нього.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Report {id} rejected.</source>
        <translation>Звернення {id} відхилено.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Report {id} accepted for consideration.</source>
        <translation>Звернення {id} прийнято до розгляду.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/report_dialogs.py"/>
        <source>Select the reports to assign on the map first.</source>
        <translation>Спершу виберіть на карті звернення, які треба передати.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Respond to report {id}</source>
        <translation>Відповідь на звернення {id}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>New status:</source>
        <translation>Новий статус:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>The answer the citizen will read</source>
        <translation>Відповідь, яку прочитає заявник</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Answer:</source>
        <translation>Відповідь:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Planned date:</source>
        <translation>Запланована дата:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>No photo</source>
        <translation>Без фото</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Choose…</source>
        <translation>Обрати…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Photo:</source>
        <translation>Фото:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>What the citizen will see:</source>
        <translation>Що побачить заявник:</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Record the response</source>
        <translation>Зберегти відповідь</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Report {id}: {category}</source>
        <translation>Звернення {id}: {category}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Now: {status}; department: {department}</source>
        <translation>Зараз: {status}; виконавчий орган: {department}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Due: {due}</source>
        <translation>Строк: {due}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Images (*.jpg *.jpeg *.png *.gif *.webp *.heic *.tif *.tiff *.bmp)</source>
        <translation>Зображення (*.jpg *.jpeg *.png *.gif *.webp *.heic *.tif *.tiff *.bmp)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>No status can follow «{current}» for your role.</source>
        <translation>Для вашої ролі після «{current}» не може бути жодного статусу.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>Answer (required):</source>
        <translation>Відповідь (обов’язково):</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/respond_dialog.py"/>
        <source>The photo stays internal (kept in the workspace's media folder and the history): no public address for photos is set, and the platform accepts only http(s) links.</source>
        <translation>Фото залишається внутрішнім (зберігається в теці медіафайлів робочого простору та в історії): публічну адресу для фото не задано, а платформа приймає лише посилання http(s).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Open City: settings</source>
        <translation>Відкрите Місто: налаштування</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Platform URL</source>
        <translation>Адреса платформи (URL)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>JSON is optional in Open311: some platforms answer in XML only</source>
        <translation>JSON в Open311 необов'язковий: деякі платформи відповідають лише в XML</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Answer format</source>
        <translation>Формат відповідей</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Only for platforms serving several cities</source>
        <translation>Лише для платформ, що обслуговують кілька міст</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>jurisdiction_id</source>
        <translation>jurisdiction_id</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Saved API key</source>
        <translation>Збережений API-ключ</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Paste a new key here to save it in the QGIS authentication database</source>
        <translation>Вставте сюди новий ключ, щоб зберегти його в базі автентифікації QGIS</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>New API key</source>
        <translation>Новий API-ключ</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Allow plain http for the key</source>
        <translation>Дозволити http без шифрування</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Off: the key goes only over https, or over http to this computer. Turn it on only for a platform in a trusted local network that has no https.</source>
        <translation>Вимкнено: ключ надсилається лише через https або через http на цей комп'ютер. Вмикайте лише для платформи в довіреній локальній мережі, яка не має https.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Test connection</source>
        <translation>Перевірити з’єднання</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source> min</source>
        <translation> хв</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Off</source>
        <translation>Вимкнено</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>0 turns automatic synchronisation off</source>
        <translation>0 вимикає автоматичну синхронізацію</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Automatic sync every</source>
        <translation>Автоматична синхронізація кожні</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Reports per request</source>
        <translation>Звернень за один запит</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>GeoPackage file (one user)</source>
        <translation>Файл GeoPackage (один користувач)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>PostgreSQL/PostGIS database (shared)</source>
        <translation>База даних PostgreSQL/PostGIS (спільна)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Workspace kind</source>
        <translation>Тип робочого простору</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>GeoPackage (*.gpkg)</source>
        <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Workspace GeoPackage</source>
        <translation>GeoPackage робочого простору</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Workspace</source>
        <translation>Робочий простір</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>A PostgreSQL connection saved in QGIS (Browser &gt; PostgreSQL &gt; New Connection). Keep its password in an authentication configuration or a pg service file, not in the connection.</source>
        <translation>З'єднання PostgreSQL, збережене в QGIS (Браузер &gt; PostgreSQL &gt; Нове з'єднання). Зберігайте його пароль у конфігурації автентифікації або у файлі сервісів pg, а не в самому з'єднанні.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>PostgreSQL connection</source>
        <translation>З'єднання PostgreSQL</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>The database schema of the workspace (created by the first sync)</source>
        <translation>Схема бази даних робочого простору (її створює перша синхронізація)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Schema</source>
        <translation>Схема</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Where the city's web server publishes the workspace's photo folder ({folder}). With an address, the photos of responses reach the citizens; empty: they stay internal.</source>
        <translation>Адреса, за якою вебсервер міста публікує теку фото робочого простору ({folder}). З адресою фото до відповідей бачать громадяни; без неї фото лишаються внутрішніми.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Public address of photos</source>
        <translation>Публічна адреса фото</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>empty: the districts, else the bulk of the reports</source>
        <translation>порожньо: за районами, інакше за більшістю звернень</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>The city's area as lon_min, lat_min, lon_max, lat_max (EPSG:4326), e.g. 33.95, 47.55, 34.30, 47.75 for Pokrov. Reports whose latitude and longitude the platform swapped are repaired when the swapped point lies inside it; points far outside it are kept, flagged, and left out of the map's extent.</source>
        <translation>Територія міста як мін_довгота, мін_широта, макс_довгота, макс_широта (EPSG:4326), напр. 33.95, 47.55, 34.30, 47.75 для Покрова. Звернення, у яких платформа переплутала широту й довготу, виправляються, якщо переставлена точка лежить у її межах; точки далеко за її межами зберігаються з позначкою і не розширюють охоплення мапи.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>City area</source>
        <translation>Територія міста</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>User</source>
        <translation>Користувач</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Role</source>
        <translation>Роль</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>The department whose reports an officer handles</source>
        <translation>Виконавчий орган, звернення якого опрацьовує відповідальна особа</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>As set: {0}</source>
        <translation>Як задано: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>No saved PostgreSQL connection in QGIS</source>
        <translation>У QGIS немає збережених з'єднань PostgreSQL</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Available after the first synchronisation</source>
        <translation>Доступно після першої синхронізації</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>The platform URL must start with http:// or https://</source>
        <translation>Адреса платформи має починатися з http:// або https://</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Choose a saved PostgreSQL connection (Browser &gt; PostgreSQL &gt; New Connection).</source>
        <translation>Виберіть збережене з'єднання PostgreSQL (Браузер &gt; PostgreSQL &gt; Нове з'єднання).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>The workspace must be a GeoPackage file (.gpkg).</source>
        <translation>Робочий простір має бути файлом GeoPackage (.gpkg).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Choose the department of the officer.</source>
        <translation>Оберіть виконавчий орган відповідальної особи.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>The city area must be four numbers: lon_min, lat_min, lon_max, lat_max (EPSG:4326).</source>
        <translation>Територія міста — це чотири числа: мін_довгота, мін_широта, макс_довгота, макс_широта (EPSG:4326).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Open City: testing the connection</source>
        <translation>Відкрите Місто: перевірка з’єднання</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Connecting to {0}…</source>
        <translation>З’єднання з {0}…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/settings_dialog.py"/>
        <source>Connected.</source>
        <translation>З’єднано.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <source>The synchronisation could not start; the log (Open City tab) says why.</source>
        <translation>Синхронізацію не вдалося розпочати; причину видно в журналі (вкладка «Відкрите Місто»).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <source>The synchronisation ended, but showing its result failed; the log (Open City tab) says why.</source>
        <translation>Синхронізація завершилася, але показати її результат не вдалося; причину видно в журналі (вкладка «Відкрите Місто»).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <source>Overdue reports of your department: {0}.</source>
        <translation>Прострочених звернень вашого підрозділу: {0}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <source>Overdue reports: {0}.</source>
        <translation>Прострочених звернень: {0}.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <source>A synchronisation is already running.</source>
        <translation>Синхронізація вже триває.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <source>Enter the platform address in the settings first.</source>
        <translation>Спочатку введіть адресу платформи в налаштуваннях.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <source>Synchronising…</source>
        <translation>Синхронізація…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <source>{0} — {1}</source>
        <translation>{0} — {1}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <source>Synchronisation canceled; the next sync completes it.</source>
        <translation>Синхронізацію скасовано; наступна синхронізація її завершить.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/gui/sync_controller.py"/>
        <source>Synchronisation failed: {0}</source>
        <translation>Синхронізація не вдалася: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Fetch new and changed reports</source>
        <translation>Отримати нові та змінені звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Show panel</source>
        <translation>Показати панель</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Report details</source>
        <translation>Картка звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Click a report on the map</source>
        <translation>Клацніть звернення на мапі</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Add the OpenStreetMap basemap</source>
        <translation>Додати підложку OpenStreetMap</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Streets and house numbers under the reports (needs the internet)</source>
        <translation>Вулиці й номери будинків під зверненнями (потрібен інтернет)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Respond to selected…</source>
        <translation>Відповісти на вибране…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>One report selected on the map</source>
        <translation>Одне звернення, вибране на карті</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Assign selected…</source>
        <translation>Передати вибрані…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>The reports selected on the map</source>
        <translation>Звернення, вибрані на карті</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Monthly report…</source>
        <translation>Щомісячний звіт…</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>The working group's PDF atlas for a month or any dates</source>
        <translation>PDF-атлас робочої групи за місяць або за будь-які дати</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>Public holidays are unknown: deadlines treat only Saturdays and Sundays as days off (see the log).</source>
        <translation>Державні свята невідомі: у строках вихідними вважаються лише субота й неділя (подробиці в журналі).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/plugin.py"/>
        <source>The reports layer is not in the project: add the layers first.</source>
        <translation>Шару звернень немає в проєкті: спершу додайте шари.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Assign reports by routing rules</source>
        <translation>Розподілити звернення за правилами</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Assigns every accepted report without a department («Accepted for consideration») to the department the routing rules suggest: a zone polygon containing the report, else the rule of its category. Reports no rule covers are listed and left alone. The assignments are written to the workspace and its outbox; the next sync sends them to the platform (this needs the moderator's API key). A trial run only counts.</source>
        <translation>Передає кожне прийняте звернення без виконавчого органу («Прийнято до розгляду») тому органу, який пропонують правила розподілу: за полігоном зони, що містить звернення, інакше — за правилом його категорії. Звернення, яких не охоплює жодне правило, перелічуються й залишаються без змін. Розподіл записується до робочого простору та його черги надсилання; наступна синхронізація надсилає його на платформу (для цього потрібен API-ключ модератора). Пробний запуск лише рахує.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>assign</source>
        <translation>розподіл</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>department</source>
        <translation>виконавчий орган</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Routing rules (JSON; empty: the workspace's rules)</source>
        <translation>Правила розподілу (JSON; порожньо — правила робочого простору)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Save these rules into the workspace</source>
        <translation>Зберегти ці правила в робочому просторі</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Trial run (count only, change nothing)</source>
        <translation>Пробний запуск (лише підрахунок, без змін)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Accepted reports without a department</source>
        <translation>Прийняті звернення без виконавчого органу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Reports assigned</source>
        <translation>Передано звернень</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Reports no rule covers</source>
        <translation>Звернень без відповідного правила</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Reports skipped</source>
        <translation>Пропущено звернень</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Changes queued for the platform</source>
        <translation>Змін у черзі на платформу</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>The workspace {0} does not exist.</source>
        <translation>Робочого простору {0} не існує.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Rules from {0}</source>
        <translation>Правила з {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>The rules were saved into the workspace.</source>
        <translation>Правила збережено в робочому просторі.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Rules: {0} categories, {1} zones</source>
        <translation>Правила: категорій — {0}, зон — {1}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>There are no routing rules: nothing can be assigned.</source>
        <translation>Правил розподілу немає: розподілити нічого не можна.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>{0}: {1} reports</source>
        <translation>{0}: звернень — {1}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>No rule covers these reports: {0}</source>
        <translation>Жодне правило не охоплює ці звернення: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>Report {0} skipped: {1}</source>
        <translation>Звернення {0} пропущено: {1}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>The next sync sends the assignments to the platform.</source>
        <translation>Наступна синхронізація надішле розподіл на платформу.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/autoassign_algorithm.py"/>
        <source>The plugin is set up for the role «{0}»: the platform accepts assignments with a moderator's key only.</source>
        <translation>Модуль налаштовано для ролі «{0}»: платформа приймає розподіл лише з ключем модератора.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/base.py"/>
        <source>Workspace: a GeoPackage file, or postgres:service=… schema=… (shared PostGIS)</source>
        <translation>Робочий простір: файл GeoPackage або postgres:service=… schema=… (спільний PostGIS)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/base.py"/>
        <source>The workspace {0} cannot be used: {1}</source>
        <translation>Робочий простір {0} неможливо використати: {1}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Monthly report (PDF atlas)</source>
        <translation>Щомісячний звіт (атлас PDF)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Writes the working group's atlas: a cover with the city map by status, a heat map and the key figures, then one page per department or district with its map, figures and overdue reports. The public version holds no personal data. Optionally the figures as CSV and XLSX.</source>
        <translation>Створює атлас для робочої групи: обкладинка з мапою міста за статусами, теплова мапа й основні показники, далі по сторінці на кожен виконавчий орган або район з його мапою, показниками та простроченими зверненнями. Публічна версія не містить персональних даних. За бажанням — показники у CSV та XLSX.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>First day of the period (YYYY-MM-DD; empty: this month)</source>
        <translation>Перший день періоду (РРРР-ММ-ДД; порожньо — цей місяць)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Last day of the period (YYYY-MM-DD; empty: end of that month)</source>
        <translation>Останній день періоду (РРРР-ММ-ДД; порожньо — кінець того місяця)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Public version (no personal data)</source>
        <translation>Публічна версія (без персональних даних)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Show counts per grid cell instead of points</source>
        <translation>Показувати кількість у клітинках сітки замість точок</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Keep the citizens' text</source>
        <translation>Залишити текст громадян</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Figures (CSV)</source>
        <translation>Показники (CSV)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Figures (XLSX)</source>
        <translation>Показники (XLSX)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Pages</source>
        <translation>Сторінки</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>Not a date or not a period: {error}</source>
        <translation>Не дата або не період: {error}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/monthly_report_algorithm.py"/>
        <source>{pages} pages written to {path}</source>
        <translation>Записано сторінок: {pages}, файл {path}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/provider.py"/>
        <source>Відкрите Місто</source>
        <translation>Відкрите Місто</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/provider.py"/>
        <source>Open City: citizen reports from an Open311 platform</source>
        <translation>Відкрите Місто: звернення громадян з платформи Open311</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Sync reports from the platform</source>
        <translation>Синхронізувати звернення з платформи</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Downloads new and changed citizen reports from an Open311 platform into a workspace: a GeoPackage file, or a shared PostGIS workspace given as postgres:service=… schema=… or postgres:connection=… schema=… (created when it does not exist). One sync at a time runs on a workspace: when another one is running, this one waits the given seconds, then is skipped. Incremental by default: only reports changed since the last sync are fetched; a full sync fetches all of them again. Changes made in this workspace (assignments, responses) are sent to the platform first. The API key comes from an authentication configuration, or headless from the environment variable OPENMISTO_API_KEY.</source>
        <translation>Завантажує нові та змінені звернення громадян з платформи Open311 до робочого простору: файлу GeoPackage або спільного робочого простору PostGIS, заданого як postgres:service=… schema=… чи postgres:connection=… schema=… (створюється, якщо його немає). Над одним робочим простором водночас працює лише одна синхронізація: якщо інша вже триває, ця чекає вказану кількість секунд, а потім пропускається. Типово інкрементна: завантажуються лише звернення, змінені після останньої синхронізації; повна синхронізація завантажує їх усі знову. Зміни, зроблені в цьому робочому просторі (призначення, відповіді), спершу надсилаються на платформу. Ключ API береться з конфігурації автентифікації, а без графічного інтерфейсу — зі змінної середовища OPENMISTO_API_KEY.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>sync</source>
        <translation>синхронізація</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>reports</source>
        <translation>звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Platform URL (Open311 endpoint)</source>
        <translation>Адреса платформи (точка доступу Open311)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Authentication configuration holding the API key</source>
        <translation>Конфігурація автентифікації з API-ключем</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Workspace: a GeoPackage file, or postgres:service=… schema=… (shared PostGIS); created when it does not exist</source>
        <translation>Робочий простір: файл GeoPackage або postgres:service=… schema=… (спільний PostGIS); створюється, якщо його немає</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Full sync (fetch every report again, not only changes)</source>
        <translation>Повна синхронізація (отримати всі звернення заново, а не лише зміни)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>First send the changes made here (assignments, responses) to the platform</source>
        <translation>Спершу надіслати на платформу зміни, зроблені тут (розподіл, відповіді)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Page size (reports per request)</source>
        <translation>Розмір сторінки (звернень за запит)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>When another sync is running on the workspace, wait this many seconds, then skip</source>
        <translation>Якщо над робочим простором уже триває інша синхронізація, чекати стільки секунд, а потім пропустити</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>City area: lon_min, lat_min, lon_max, lat_max (empty: the districts, else the bulk of the reports)</source>
        <translation>Територія міста: мін_довгота, мін_широта, макс_довгота, макс_широта (порожньо: за районами, інакше за більшістю звернень)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Format of the platform's answers</source>
        <translation>Формат відповідей платформи</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>jurisdiction_id (only for platforms serving several cities)</source>
        <translation>jurisdiction_id (лише для платформ, що обслуговують кілька міст)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Send the API key over plain http (unencrypted) to another machine</source>
        <translation>Надсилати ключ API звичайним http (без шифрування) на інший комп'ютер</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>New reports</source>
        <translation>Нові звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Updated reports</source>
        <translation>Оновлені звернення</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Unchanged reports</source>
        <translation>Звернення без змін</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Skipped records</source>
        <translation>Пропущені записи</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Pages fetched</source>
        <translation>Отримано сторінок</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Reports kept without a position</source>
        <translation>Звернення, збережені без координат</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Local changes sent</source>
        <translation>Надіслано локальних змін</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Local changes refused by the platform</source>
        <translation>Локальних змін відхилено платформою</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Local changes in conflict</source>
        <translation>Локальних змін у конфлікті</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Skipped: another sync was running (1) or not (0)</source>
        <translation>Пропущено: тривала інша синхронізація (1) чи ні (0)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>For headless runs, name a file holding it in QGIS_AUTH_PASSWORD_FILE.</source>
        <translation>Для запуску без інтерфейсу вкажіть файл із ним у QGIS_AUTH_PASSWORD_FILE.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Authentication configuration {0} holds no API key.</source>
        <translation>Конфігурація автентифікації {0} не містить API-ключа.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>The platform URL is empty.</source>
        <translation>Адресу платформи не вказано.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>No workspace file was given.</source>
        <translation>Не вказано файл робочого простору.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>The city area is not readable: {0}</source>
        <translation>Не вдається прочитати територію міста: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Workspace: {0} ({1})</source>
        <translation>Робочий простір: {0} ({1})</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>shared PostGIS</source>
        <translation>спільний PostGIS</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>existing</source>
        <translation>наявний</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>new</source>
        <translation>новий</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Platform: {0}, {1} sync, API key: {2}</source>
        <translation>Платформа: {0}, синхронізація: {1}, API-ключ: {2}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>full</source>
        <translation>повна</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>incremental</source>
        <translation>часткова</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>given</source>
        <translation>вказано</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>none (read-only access)</source>
        <translation>немає (доступ лише для читання)</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Skipped report {0}: {1}</source>
        <translation>Пропущено звернення {0}: {1}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Not sent: {0}</source>
        <translation>Не надіслано: {0}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>This platform accepts no responses from QGIS; they wait here.</source>
        <translation>Ця платформа не приймає відповідей із QGIS; вони чекають тут.</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Sent: {0}, refused: {1}, conflicts: {2}, to retry: {3}</source>
        <translation>Надіслано: {0}, відхилено: {1}, конфліктів: {2}, для повторної спроби: {3}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>New: {0}, updated: {1}, unchanged: {2}, skipped: {3}, pages: {4}</source>
        <translation>Нових: {0}, оновлених: {1}, без змін: {2}, пропущених: {3}, сторінок: {4}</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Positions: {0} reports kept without one (place them by hand), {1} swapped lat/long repaired, {2} far outside the city (kept, flagged).</source>
        <translation>Координати: {0} звернень збережено без них (розмістіть вручну), у {1} виправлено переплутані широту й довготу, {2} далеко за межами міста (збережено з позначкою).</translation>
    </message>
    <message>
        <location filename="../openmisto_plugin/processing/sync_algorithm.py"/>
        <source>Reports fetched: {0}</source>
        <translation>Отримано звернення: {0}</translation>
    </message>
    <message>
        <source>Not a date: {error}</source>
        <translation type="vanished">Це не дата: {error}</translation>
    </message>
    <message>
        <source>The period ends before it starts.</source>
        <translation type="vanished">Період закінчується раніше, ніж починається.</translation>
    </message>
    <message>
        <source>{n} of {total} selected reports will be assigned ({parts}).</source>
        <translation type="vanished">Буде передано звернень: {n} з {total} вибраних ({parts}).</translation>
    </message>
    <message>
        <source>{n} without a suggestion stay as they are.</source>
        <translation type="vanished">Без пропозиції залишаться як є: {n}.</translation>
    </message>
    <message>
        <source>Assign {n} reports ({parts})? They are sent to the platform at the next sync.</source>
        <translation type="vanished">Передати звернення ({n}: {parts})? Їх буде надіслано на платформу під час наступної синхронізації.</translation>
    </message>
    <message>
        <source>The platform refused access: the API key is wrong or has no right to do this.</source>
        <translation type="vanished">Платформа відмовила в доступі: API-ключ неправильний або не має права на цю дію.</translation>
    </message>
    <message>
        <source>Not delivered yet ({n} tries); next try at {time}.</source>
        <translation type="vanished">Ще не доставлено (спроб: {n}); наступна спроба о {time}.</translation>
    </message>
    <message>
        <source>Last error: {0}</source>
        <translation type="vanished">Остання помилка: {0}</translation>
    </message>
    <message>
        <source>Waiting for the next synchronisation.</source>
        <translation type="vanished">Очікує наступної синхронізації.</translation>
    </message>
    <message>
        <source>Downloads new and changed citizen reports from an Open311 platform into a workspace: a GeoPackage file, or a shared PostGIS workspace given as postgres:service=… schema=… or postgres:connection=… schema=… (created when it does not exist). One sync at a time runs on a workspace: when another one is running, this one waits the given seconds, then is skipped. Incremental by default: only reports changed since the last sync are fetched; a full sync fetches all of them again. Changes made in this workspace (assignments, responses) are sent to the platform first. Store the API key in an authentication configuration rather than typing it in the API key field, which Processing keeps in its history.</source>
        <translation type="vanished">Завантажує нові та змінені звернення громадян з платформи Open311 до робочого простору: файлу GeoPackage або спільного робочого простору PostGIS, заданого як postgres:service=… schema=… чи postgres:connection=… schema=… (створюється, якщо його немає). Над одним робочим простором водночас працює лише одна синхронізація: якщо інша вже триває, ця чекає вказану кількість секунд, а потім пропускається. Типово інкрементна: завантажуються лише звернення, змінені після останньої синхронізації; повна синхронізація завантажує їх усі знову. Зміни, зроблені в цьому робочому просторі (призначення, відповіді), спершу надсилаються на платформу. Зберігайте ключ API у конфігурації автентифікації, а не вводьте його в поле ключа API, яке Processing зберігає у своїй історії.</translation>
    </message>
    <message>
        <source>API key (discouraged: prefer an authentication configuration)</source>
        <translation type="vanished">API-ключ (не рекомендовано: краще конфігурація автентифікації)</translation>
    </message>
    <message>
        <source>Formats: {0} (used: {1})</source>
        <translation type="vanished">Формати: {0} (використовується: {1})</translation>
    </message>
    <message>
        <source>page and page_size</source>
        <translation type="vanished">page і page_size</translation>
    </message>
    <message>
        <source>page and page_size with X-Next-Page-URL</source>
        <translation type="vanished">page і page_size з X-Next-Page-URL</translation>
    </message>
    <message>
        <source>none: reports are fetched in date windows</source>
        <translation type="vanished">немає: звернення завантажуються за проміжками дат</translation>
    </message>
    <message>
        <source>(at most {0} reports per answer)</source>
        <translation type="vanished">(не більше {0} звернень у відповіді)</translation>
    </message>
    <message>
        <source>Paging: {0}</source>
        <translation type="vanished">Посторінкова видача: {0}</translation>
    </message>
    <message>
        <source>Last incremental sync: {0}</source>
        <translation type="vanished">Остання часткова синхронізація: {0}</translation>
    </message>
    <message>
        <source>Changes since the last sync (updated_after)</source>
        <translation type="vanished">Зміни від останньої синхронізації (updated_after)</translation>
    </message>
    <message>
        <source>Extended attributes (extensions=true)</source>
        <translation type="vanished">Розширені атрибути (extensions=true)</translation>
    </message>
    <message>
        <source>Report history (GET servicerequestupdates)</source>
        <translation type="vanished">Історія звернень (GET servicerequestupdates)</translation>
    </message>
    <message>
        <source>Responses from QGIS (POST servicerequestupdates)</source>
        <translation type="vanished">Відповіді з QGIS (POST servicerequestupdates)</translation>
    </message>
    <message>
        <source>Districts (reference server)</source>
        <translation type="vanished">Райони (еталонний сервер)</translation>
    </message>
    <message>
        <source>Departments (reference server)</source>
        <translation type="vanished">Відділи (еталонний сервер)</translation>
    </message>
    <message>
        <source>Public holidays are unknown ({0}): deadlines treat only Saturdays and Sundays as days off.</source>
        <translation type="vanished">Державні свята невідомі ({0}): у строках вихідними вважаються лише субота й неділя.</translation>
    </message>
    <message>
        <source>Workspace (GeoPackage)</source>
        <translation type="vanished">Робочий простір (GeoPackage)</translation>
    </message>
    <message>
        <source>Downloads new and changed citizen reports from an Open311 platform into a GeoPackage workspace (created when it does not exist). Incremental by default: only reports changed since the last sync are fetched; a full sync fetches all of them again. Changes made in this workspace (assignments, responses) are sent to the platform first. Store the API key in an authentication configuration rather than typing it in the API key field, which Processing keeps in its history.</source>
        <translation type="vanished">Завантажує нові та змінені звернення громадян з платформи Open311 до робочого простору GeoPackage (його буде створено, якщо він не існує). Типово синхронізація часткова: отримуються лише звернення, змінені після останньої синхронізації; повна синхронізація отримує всі звернення заново. Зміни, зроблені в цьому робочому просторі (розподіл, відповіді), спершу надсилаються на платформу. Зберігайте API-ключ у конфігурації автентифікації, а не вводьте його в поле «API-ключ», яке Processing зберігає в історії.</translation>
    </message>
    <message>
        <source>Workspace (GeoPackage; created when it does not exist)</source>
        <translation type="vanished">Робочий простір (GeoPackage; буде створено, якщо не існує)</translation>
    </message>
    <message>
        <source>Reports: {count}, overdue (red): {overdue}.</source>
        <translation type="vanished">Звернень: {count}, прострочених (червоним): {overdue}.</translation>
    </message>
    <message>
        <source>Waiting (working days)</source>
        <translation type="vanished">Очікує (робочих днів)</translation>
    </message>
    <message>
        <source>Downloads new and changed citizen reports from an Open311 platform into a GeoPackage workspace (created when it does not exist). Incremental by default: only reports changed since the last sync are fetched; a full sync fetches all of them again. Store the API key in an authentication configuration rather than typing it in the API key field, which Processing keeps in its history.</source>
        <translation type="vanished">Завантажує нові та змінені звернення громадян з платформи Open311 до робочого простору GeoPackage (його буде створено, якщо він не існує). Типово синхронізація часткова: отримуються лише звернення, змінені після останньої синхронізації; повна синхронізація отримує всі звернення заново. Зберігайте API-ключ у конфігурації автентифікації, а не вводьте його в поле «API-ключ», яке Processing зберігає в історії.</translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="vanished">Джерело</translation>
    </message>
    <message>
        <source>History</source>
        <translation type="vanished">Історія</translation>
    </message>
    <message>
        <source>Cannot read the API key from authentication configuration {0}: {1}</source>
        <translation type="vanished">Не вдається прочитати API-ключ з конфігурації автентифікації {0}: {1}</translation>
    </message>
    <message>
        <source>Authentication configuration {0} holds no API key (or the authentication database is locked: set its master password, or QGIS_AUTH_PASSWORD_FILE for headless runs).</source>
        <translation type="vanished">Конфігурація автентифікації {0} не містить API-ключа (або база автентифікації заблокована: задайте її головний пароль або QGIS_AUTH_PASSWORD_FILE для запуску без інтерфейсу).</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation type="vanished">Призначити</translation>
    </message>
</context>
</TS>
